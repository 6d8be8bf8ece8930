#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The bearer token of the service: read from a file only its owner can read, or generated
/// (256 random bits, hex) and written owner-only next to the database.
public enum TokenFile {
    /// Where a generated token is kept: beside the database, `<database>.token`.
    public static func path(forDatabase databasePath: String) -> String { databasePath + ".token" }

    /// Reads the token from `path`.
    ///
    /// - Throws: `ServiceStartError` when the file is missing, not a regular file, not owned by
    ///   this user, readable or writable by anyone else, or does not hold a usable token.
    public static func read(path: String) throws -> String {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw ServiceStartError("\(path): cannot read the token file (\(String(cString: strerror(errno))))") }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
            throw ServiceStartError("\(path): the token file is not a regular file")
        }
        guard info.st_uid == geteuid(), info.st_mode & 0o077 == 0 else {
            throw ServiceStartError("\(path): the token file must belong to this user and be readable by its owner only (chmod 600 \(path))")
        }
        var bytes = [UInt8](repeating: 0, count: 4_097)
        let count = bytes.withUnsafeMutableBytes { readFile(fd, $0) }
        guard count >= 0 else { throw ServiceStartError("\(path): cannot read the token file (\(String(cString: strerror(errno))))") }
        guard count <= 4_096 else { throw ServiceStartError("\(path): the token file is too long (at most 4 KiB)") }
        let text = String(decoding: bytes[0..<count], as: UTF8.self)
        let token = text.split(whereSeparator: { $0 == "\n" || $0 == "\r" || $0 == " " || $0 == "\t" }).first.map(String.init) ?? ""
        guard isUsable(token) else {
            throw ServiceStartError("\(path): the token must be at least 16 printable ASCII characters, without spaces")
        }
        return token
    }

    /// The token beside the database: the existing file's (owner-only) or a new one.
    ///
    /// - Returns: the token, its file, and whether the file was created now.
    public static func generated(forDatabase databasePath: String) throws -> (token: String, path: String, created: Bool) {
        let path = path(forDatabase: databasePath)
        let token = randomToken()
        let fd = open(path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0o600)
        if fd < 0 {
            guard errno == EEXIST else {
                throw ServiceStartError("\(path): cannot create the token file (\(String(cString: strerror(errno))))")
            }
            return (try read(path: path), path, false)
        }
        defer { close(fd) }
        let line = Array((token + "\n").utf8)
        let written = line.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard written == line.count else {
            unlink(path)
            throw ServiceStartError("\(path): cannot write the token file")
        }
        return (token, path, true)
    }

    /// 32 random bytes from the system's generator, as 64 hex digits.
    static func randomToken() -> String {
        var generator = SystemRandomNumberGenerator()
        let digits = Array("0123456789abcdef")
        return String((0..<32).flatMap { _ -> [Character] in
            let byte = UInt8.random(in: 0...255, using: &generator)
            return [digits[Int(byte >> 4)], digits[Int(byte & 15)]]
        })
    }

    static func isUsable(_ token: String) -> Bool {
        token.utf8.count >= 16 && token.utf8.allSatisfy { $0 > 32 && $0 < 127 }
    }
}

/// `read(2)` (at file scope: inside `TokenFile`, `read` names its own method).
private func readFile(_ fd: Int32, _ buffer: UnsafeMutableRawBufferPointer) -> Int {
    read(fd, buffer.baseAddress, buffer.count)
}
