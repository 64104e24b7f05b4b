import Crypto
import Foundation

/// A server-side key kept outside the database: from an environment variable when set (any string,
/// hashed to 256 bits), else from a file in the data folder, created with mode 0600 on first use.
///
/// The database file alone is then never enough to forge audit events or confirm hashed payloads.
enum ServerKeyFile {
    static func load(environmentVariable: String, fileName: String, dataDirectory: String, environment: [String: String]) throws -> [UInt8] {
        if let value = environment[environmentVariable], !value.isEmpty {
            return Array(SHA256.hash(data: Data(value.utf8)))
        }
        let path = (dataDirectory as NSString).appendingPathComponent(fileName)
        if let existing = FileManager.default.contents(atPath: path), existing.count == 32 {
            return Array(existing)
        }
        try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
        let key = SymmetricKey(size: .bits256).withUnsafeBytes { Array($0) }
        guard FileManager.default.createFile(atPath: path, contents: Data(key), attributes: [.posixPermissions: 0o600]) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
        }
        return key
    }
}
