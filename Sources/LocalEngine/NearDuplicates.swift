/// Groups near-duplicate texts, so the calibration hold-out never contains a ticket whose twin (the
/// same request resent, reworded or templated) is in the fitting part: held-out twins look easy,
/// which would fit too low a temperature and leave the model overconfident on genuinely new tickets.
enum NearDuplicates {
    /// A group id per row: rows whose word vectors (unit length) have a cosine of at least
    /// `threshold` share a group, transitively. On the ticket-triage data 0.5 separates rewordings of
    /// one request (99% score above 0.56) from different requests (almost all below 0.45).
    static func groups(_ rows: [SparseVector], threshold: Float = 0.5) -> [Int] {
        let n = rows.count
        var parent = Array(0..<n)
        func root(_ i: Int) -> Int {
            var i = i
            while parent[i] != i {
                parent[i] = parent[parent[i]]
                i = parent[i]
            }
            return i
        }
        // Inverted index: postings of each bucket as (row, value), rows increasing.
        var entries: [(bucket: Int32, row: Int32, value: Float)] = []
        for (row, vector) in rows.enumerated() {
            for k in 0..<vector.count { entries.append((vector.indices[k], Int32(row), vector.values[k])) }
        }
        entries.sort { ($0.bucket, $0.row) < ($1.bucket, $1.row) }
        var bucketStart: [Int32: Int] = [:]
        var bucketEnd: [Int32: Int] = [:]
        for (k, entry) in entries.enumerated() {
            if bucketStart[entry.bucket] == nil { bucketStart[entry.bucket] = k }
            bucketEnd[entry.bucket] = k + 1
        }
        // Buckets in a tenth of all texts (greetings, "the") say little about duplication and would
        // make the pass quadratic; skipping them can only miss a duplicate, never invent one.
        let commonest = max(32, min(n / 10, 512))
        var scores = [Float](repeating: 0, count: n)
        var seenBy = [Int](repeating: -1, count: n)
        var touched: [Int] = []
        for (row, vector) in rows.enumerated() {
            for k in 0..<vector.count {
                guard let start = bucketStart[vector.indices[k]], let end = bucketEnd[vector.indices[k]], end - start <= commonest else { continue }
                let value = vector.values[k]
                for e in start..<end where Int(entries[e].row) > row {
                    let other = Int(entries[e].row)
                    if seenBy[other] != row {
                        seenBy[other] = row
                        touched.append(other)
                    }
                    scores[other] += value * entries[e].value
                }
            }
            for other in touched {
                if scores[other] >= threshold { parent[root(other)] = root(row) }
                scores[other] = 0
            }
            touched.removeAll(keepingCapacity: true)
        }
        return (0..<n).map(root)
    }
}
