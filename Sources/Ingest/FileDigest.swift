import Crypto
import DelimitedText
import History

/// SHA-256 of a file's bytes as stored (compressed bytes for `.gz`): the ledger's identity of a file.
enum FileDigest {
    static func sha256(path: String) throws -> String {
        let file = try FileSource(path: path)
        var hasher = SHA256()
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
        defer { buffer.deallocate() }
        while true {
            let n = try file.read(into: buffer)
            if n == 0 { break }
            hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
        }
        return hasher.finalize().hexString
    }
}
