#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A buffered output file created readable and writable by its owner only (0600).
///
/// Written under a temporary name beside the target and renamed on `commit()`, so a reader never
/// sees half a file and a killed run leaves no partial file under the real name. `standardOutput`
/// writes straight to fd 1.
public final class OutputFile {
    private let fd: Int32
    /// The final path (`-` for standard output).
    public let path: String
    private let temporaryPath: String?
    private var buffer: [UInt8] = []
    private var finished = false

    /// Creates `path`'s temporary sibling.
    ///
    /// - Throws: `ReadError` (its `reason` says why) when the file cannot be created.
    public init(path: String) throws {
        let temporary = path + ".partial-\(getpid())"
        let fd = open(temporary, O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw ReadError(path: path, reason: "cannot create: \(String(cString: strerror(errno)))") }
        // An existing file of that name kept its mode through O_TRUNC; make sure.
        fchmod(fd, 0o600)
        self.fd = fd
        self.path = path
        self.temporaryPath = temporary
        buffer.reserveCapacity(1 << 16)
    }

    private init(standardOutput: Void) {
        fd = 1
        path = "-"
        temporaryPath = nil
    }

    /// A writer to standard output (commit flushes; nothing is renamed).
    public static func standardOutput() -> OutputFile { OutputFile(standardOutput: ()) }

    deinit {
        if !finished { discard() }
    }

    public func write(_ text: String) throws {
        buffer.append(contentsOf: text.utf8)
        if buffer.count >= 1 << 16 { try flush() }
    }

    public func write(bytes: [UInt8]) throws {
        buffer.append(contentsOf: bytes)
        if buffer.count >= 1 << 16 { try flush() }
    }

    public func flush() throws {
        var offset = 0
        while offset < buffer.count {
            let n = buffer.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if n < 0 {
                if errno == EINTR { continue }
                throw ReadError(path: path, reason: "cannot write: \(String(cString: strerror(errno)))")
            }
            offset += n
        }
        buffer.removeAll(keepingCapacity: true)
    }

    /// Flushes, syncs and moves the file to its final name.
    public func commit() throws {
        try flush()
        finished = true
        guard let temporaryPath else { return }
        fsync(fd)
        close(fd)
        if rename(temporaryPath, path) != 0 {
            let reason = String(cString: strerror(errno))
            unlink(temporaryPath)
            throw ReadError(path: path, reason: "cannot move into place: \(reason)")
        }
    }

    /// Drops the temporary file.
    public func discard() {
        finished = true
        guard let temporaryPath else { return }
        close(fd)
        unlink(temporaryPath)
    }
}

/// Writes RFC 4180 rows: fields quoted when they hold a comma, quote, CR or LF.
public struct CSVWriter {
    public let file: OutputFile

    public init(file: OutputFile) { self.file = file }

    public func writeRow(_ fields: [String]) throws {
        try file.write(fields.map(CSVWriter.escape).joined(separator: ",") + "\n")
    }

    /// Writes a row whose last field is raw bytes (kept exactly, even when not UTF-8).
    public func writeRow(_ fields: [String], rawLast: [UInt8]) throws {
        try file.write(fields.map(CSVWriter.escape).joined(separator: ",") + ",")
        try file.write(bytes: CSVWriter.escape(bytes: rawLast))
        try file.write("\n")
    }

    /// The field, quoted with inner quotes doubled when it holds a comma, quote, CR or LF
    /// (judged on UTF-8 bytes, so a quote followed by a combining mark is still doubled).
    public static func escape(_ field: String) -> String {
        guard field.utf8.contains(where: { $0 == 44 || $0 == 34 || $0 == 10 || $0 == 13 }) else { return field }
        return String(decoding: escape(bytes: Array(field.utf8)), as: UTF8.self)
    }

    static func escape(bytes: [UInt8]) -> [UInt8] {
        guard bytes.contains(where: { $0 == 44 || $0 == 34 || $0 == 10 || $0 == 13 }) else { return bytes }
        var out: [UInt8] = [34]
        for byte in bytes {
            out.append(byte)
            if byte == 34 { out.append(34) }
        }
        out.append(34)
        return out
    }
}
