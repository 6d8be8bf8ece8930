import Crypto
import DelimitedText
import History

/// Writes to an output file while hashing and counting what is written, for the export manifest.
final class HashingOutput {
    let file: OutputFile
    private var hasher = SHA256()
    private(set) var bytes = 0

    init(file: OutputFile) { self.file = file }

    func write(_ text: String) throws {
        hasher.update(data: Array(text.utf8))
        bytes += text.utf8.count
        try file.write(text)
    }

    /// The hex SHA-256 of everything written.
    func finish() throws -> String {
        try file.commit()
        return hasher.finalize().hexString
    }
}
