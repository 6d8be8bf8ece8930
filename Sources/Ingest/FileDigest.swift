import Crypto
import DelimitedText
import History

/// SHA-256 of a file's bytes as stored (compressed bytes for `.gz`): the ledger's identity of a file.
enum FileDigest {
    /// Reads the whole file for its digest (only when a ledger entry of the same size may be it).
    static func sha256(path: String) throws -> String {
        let digest = StreamDigest()
        let file = try ObservedSource(path: path, observe: digest.update)
        try file.drain()
        return digest.finalize()
    }
}

/// A SHA-256 fed chunk by chunk as a reader streams a file (`ExtractFile.open(_:observer:)`):
/// the digest of exactly the bytes that were parsed.
final class StreamDigest {
    private var hasher = SHA256()

    func update(_ bytes: UnsafeRawBufferPointer) { hasher.update(bufferPointer: bytes) }

    /// The hex digest of every byte seen.
    func finalize() -> String { hasher.finalize().hexString }
}
