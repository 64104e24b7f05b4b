import AsyncHTTPClient
import Core
import Foundation
import Logging
import NIOCore
import Pipeline
import ServiceLifecycle
import Synchronization

/// Exports the spans of sampled invocations over OTLP/HTTP (protobuf) to `<endpoint>/v1/traces`.
///
/// Spans are built from the finished invocation, not kept open around each stage: the span ids are
/// handed out while the request runs (the upstream attempts' ids go to providers in `traceparent`),
/// and the tree is assembled once, at the end, from the stage and attempt records. With no endpoint
/// configured nothing is built at all. The queue is bounded; spans beyond it are dropped and counted.
public final class TraceExporter: Service, Sendable {
    struct Span: Sendable {
        var traceID: String
        var spanID: String
        var parentSpanID: String?
        var name: String
        /// OTLP SpanKind: 1 internal, 2 server, 3 client.
        var kind: Int
        var startNanoseconds: UInt64
        var endNanoseconds: UInt64
        var attributes: [(String, AttributeValue)]
        /// OTLP StatusCode: 0 unset, 1 ok, 2 error.
        var statusCode: Int
        var statusMessage: String?
    }

    enum AttributeValue: Sendable {
        case string(String)
        case int(Int64)
        case double(Double)
        case bool(Bool)
    }

    private let queue = Mutex<[Span]>([])
    private let dropped = Atomic<Int>(0)
    private let exported = Atomic<Int>(0)
    private let current: Mutex<TracingSettings?>
    private let client: HTTPClient
    private let logger: Logger
    let interval: Duration

    init(settings: TracingSettings?, client: HTTPClient, logger: Logger, interval: Duration = .seconds(1)) {
        self.current = Mutex(settings)
        self.client = client
        self.logger = logger
        self.interval = interval
    }

    func settings() -> TracingSettings? { current.withLock { $0 } }

    /// A reload may switch tracing on or off or move the endpoint.
    func update(settings: TracingSettings?) { current.withLock { $0 = settings } }

    /// Spans exported and dropped so far.
    public var counts: (exported: Int, dropped: Int) { (exported.load(ordering: .relaxed), dropped.load(ordering: .relaxed)) }

    /// Queues the spans of a finished invocation when tracing is on and the trace is sampled.
    func record(_ context: InvocationContext) {
        guard let settings = settings(), context.trace.sampled else { return }
        let spans = Self.spans(of: context)
        let accepted = queue.withLock { queue -> Bool in
            guard queue.count + spans.count <= settings.maxQueuedSpans else { return false }
            queue.append(contentsOf: spans)
            return true
        }
        if !accepted { dropped.add(spans.count, ordering: .relaxed) }
    }

    /// The server span, one span per stage and one per upstream attempt.
    static func spans(of context: InvocationContext) -> [Span] {
        let trace = context.trace
        let base = UInt64(max(0, context.startedAt.timeIntervalSince1970) * 1e9)
        let end = base + UInt64(max(0, context.latencyMilliseconds) * 1e6)
        var rootAttributes: [(String, AttributeValue)] = [
            ("gatehouse.invocation_id", .string(context.id)), ("gatehouse.route", .string(context.route.rawValue)),
            ("gatehouse.decision", .string((context.decision ?? .failed).rawValue)), ("http.response.status_code", .int(Int64(context.httpStatus))),
        ]
        if let useCase = context.useCase?.id { rootAttributes.append(("gatehouse.use_case", .string(useCase))) }
        if let variant = context.answeringVariant ?? context.variant {
            rootAttributes.append(("gatehouse.variant", .string(variant.name)))
            rootAttributes.append(("gatehouse.variant_version", .string(variant.version)))
        }
        if let code = context.error?.code { rootAttributes.append(("error.type", .string(code.rawValue))) }
        let name: String =
            switch context.route {
            case .invoke: "POST /v1/usecases/{id}/invoke"
            case .chatCompletions, .passthrough: "POST /v1/chat/completions"
            case .evaluation: "gatehouse evaluation"
            }
        var spans = [
            Span(
                traceID: trace.traceID, spanID: trace.spanID, parentSpanID: trace.parentSpanID, name: name, kind: 2, startNanoseconds: base,
                endNanoseconds: end, attributes: rootAttributes, statusCode: context.httpStatus >= 500 ? 2 : 0,
                statusMessage: context.httpStatus >= 500 ? context.error?.code.rawValue : nil)
        ]
        var cursor: Int64 = 0
        for (index, timing) in context.stageTimings.enumerated() {
            let duration = Int64(timing.milliseconds * 1e6)
            let (spanID, start): (String, Int64) =
                index < context.stageSpans.count ? context.stageSpans[index] : (TraceContext.newSpanID(), cursor)
            cursor = start + duration
            spans.append(Span(
                traceID: trace.traceID, spanID: spanID, parentSpanID: trace.spanID, name: timing.stage, kind: 1,
                startNanoseconds: base + UInt64(max(0, start)), endNanoseconds: base + UInt64(max(0, start + duration)),
                attributes: [("gatehouse.stage", .string(timing.stage))], statusCode: 0, statusMessage: nil))
        }
        for attempt in context.attempts {
            guard let spanID = attempt.spanID else { continue }
            let start = attempt.startedAt.map { UInt64(max(0, $0.timeIntervalSince1970) * 1e9) } ?? base
            var attributes: [(String, AttributeValue)] = [
                ("gen_ai.system", .string(attempt.provider)), ("gen_ai.request.model", .string(attempt.model)),
            ]
            if let error = attempt.error { attributes.append(("error.type", .string(error))) }
            spans.append(Span(
                traceID: trace.traceID, spanID: spanID, parentSpanID: attempt.parentSpanID ?? trace.spanID, name: "upstream \(attempt.provider)",
                kind: 3, startNanoseconds: start, endNanoseconds: start + UInt64(max(0, attempt.milliseconds) * 1e6), attributes: attributes,
                statusCode: attempt.error == nil ? 0 : 2, statusMessage: attempt.error))
        }
        return spans
    }

    public func run() async throws {
        await withGracefulShutdownHandler {
            while !Task.isShuttingDownGracefully && !Task.isCancelled {
                try? await Task.sleep(for: interval)
                await flush()
            }
        } onGracefulShutdown: {}
        await flush()
    }

    /// Sends everything queued; on failure the batch is dropped (and counted), so a dead collector
    /// never grows memory.
    public func flush() async {
        guard let settings = settings() else { return }
        let batch = queue.withLock { queue -> [Span] in
            defer { queue.removeAll(keepingCapacity: true) }
            return queue
        }
        guard !batch.isEmpty else { return }
        var endpoint = settings.otlpEndpoint
        while endpoint.hasSuffix("/") { endpoint.removeLast() }
        var request = HTTPClientRequest(url: endpoint + "/v1/traces")
        request.method = .POST
        request.headers.add(name: "content-type", value: "application/x-protobuf")
        request.body = .bytes(ByteBuffer(bytes: OTLPEncoding.exportRequest(batch, serviceName: settings.serviceName)))
        do {
            let response = try await client.execute(request, timeout: .seconds(5))
            _ = try? await response.body.collect(upTo: 1 << 20)
            guard (200..<300).contains(Int(response.status.code)) else {
                dropped.add(batch.count, ordering: .relaxed)
                logger.warning("trace export refused", metadata: ["http.status": "\(response.status.code)", "spans": "\(batch.count)"])
                return
            }
            exported.add(batch.count, ordering: .relaxed)
        } catch {
            dropped.add(batch.count, ordering: .relaxed)
            logger.warning("trace export failed", metadata: ["error.type": "\(type(of: error))", "spans": "\(batch.count)"])
        }
    }
}

/// Just enough protobuf to write an OTLP `ExportTraceServiceRequest` (opentelemetry-proto v1):
/// resource spans with a `service.name`, one scope, and spans with attributes and a status.
enum OTLPEncoding {
    static func exportRequest(_ spans: [TraceExporter.Span], serviceName: String) -> [UInt8] {
        var resource = ProtobufWriter()
        resource.message(1, keyValue("service.name", .string(serviceName)))
        var scope = ProtobufWriter()
        scope.string(1, "gatehouse")
        var scopeSpans = ProtobufWriter()
        scopeSpans.message(1, scope.bytes)
        for span in spans { scopeSpans.message(2, encode(span)) }
        var resourceSpans = ProtobufWriter()
        resourceSpans.message(1, resource.bytes)
        resourceSpans.message(2, scopeSpans.bytes)
        var request = ProtobufWriter()
        request.message(1, resourceSpans.bytes)
        return request.bytes
    }

    static func encode(_ span: TraceExporter.Span) -> [UInt8] {
        var writer = ProtobufWriter()
        writer.bytesField(1, hexBytes(span.traceID))
        writer.bytesField(2, hexBytes(span.spanID))
        if let parent = span.parentSpanID { writer.bytesField(4, hexBytes(parent)) }
        writer.string(5, span.name)
        writer.varintField(6, UInt64(span.kind))
        writer.fixed64(7, span.startNanoseconds)
        writer.fixed64(8, max(span.startNanoseconds, span.endNanoseconds))
        for (key, value) in span.attributes { writer.message(9, keyValue(key, value)) }
        if span.statusCode != 0 {
            var status = ProtobufWriter()
            if let message = span.statusMessage { status.string(2, message) }
            status.varintField(3, UInt64(span.statusCode))
            writer.message(15, status.bytes)
        }
        return writer.bytes
    }

    static func keyValue(_ key: String, _ value: TraceExporter.AttributeValue) -> [UInt8] {
        var any = ProtobufWriter()
        switch value {
        case .string(let text): any.string(1, text)
        case .bool(let flag): any.varintField(2, flag ? 1 : 0)
        case .int(let number): any.varintField(3, UInt64(bitPattern: number))
        case .double(let number): any.double(4, number)
        }
        var pair = ProtobufWriter()
        pair.string(1, key)
        pair.message(2, any.bytes)
        return pair.bytes
    }

    static func hexBytes(_ hex: String) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(hex.utf8.count / 2)
        var high: UInt8?
        for character in hex.utf8 {
            let nibble: UInt8 =
                switch character {
                case 48...57: character - 48
                case 97...102: character - 87
                case 65...70: character - 55
                default: 0
                }
            if let value = high {
                bytes.append(value << 4 | nibble)
                high = nil
            } else {
                high = nibble
            }
        }
        return bytes
    }
}

/// Protobuf wire format: varints, fixed64, length-delimited fields.
struct ProtobufWriter {
    var bytes: [UInt8] = []

    mutating func varint(_ value: UInt64) {
        var value = value
        while value >= 0x80 {
            bytes.append(UInt8(value & 0x7F) | 0x80)
            value >>= 7
        }
        bytes.append(UInt8(value))
    }

    mutating func tag(_ field: Int, _ wireType: UInt64) { varint(UInt64(field) << 3 | wireType) }
    mutating func varintField(_ field: Int, _ value: UInt64) { tag(field, 0); varint(value) }

    mutating func fixed64(_ field: Int, _ value: UInt64) {
        tag(field, 1)
        for shift in stride(from: 0, to: 64, by: 8) { bytes.append(UInt8(truncatingIfNeeded: value >> UInt64(shift))) }
    }

    mutating func double(_ field: Int, _ value: Double) { fixed64(field, value.bitPattern) }

    mutating func bytesField(_ field: Int, _ value: [UInt8]) {
        tag(field, 2)
        varint(UInt64(value.count))
        bytes += value
    }

    mutating func string(_ field: Int, _ value: String) { bytesField(field, Array(value.utf8)) }
    mutating func message(_ field: Int, _ value: [UInt8]) { bytesField(field, value) }
}
