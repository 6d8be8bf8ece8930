import Foundation

/// A fresh directory under the system's temporary folder, removed when the value is released.
public final class TemporaryDirectory: @unchecked Sendable {
    // Sendable: the only state is an immutable path.
    public let path: String

    public init() {
        let base = FileManager.default.temporaryDirectory.path
        path = base + "/lbp-test-" + UUID().uuidString
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    /// Writes `contents` to `name` in this directory and returns the file's path.
    @discardableResult
    public func write(_ name: String, _ contents: String) -> String {
        write(name, bytes: Array(contents.utf8))
    }

    /// Writes raw bytes to `name` in this directory and returns the file's path.
    @discardableResult
    public func write(_ name: String, bytes: [UInt8]) -> String {
        let file = path + "/" + name
        _ = FileManager.default.createFile(atPath: file, contents: Data(bytes))
        return file
    }

    /// The path of `name` in this directory.
    public func file(_ name: String) -> String { path + "/" + name }

    /// Reads a file of this directory as text (nil when missing).
    public func read(_ name: String) -> String? {
        FileManager.default.contents(atPath: file(name)).map { String(decoding: $0, as: UTF8.self) }
    }
}
