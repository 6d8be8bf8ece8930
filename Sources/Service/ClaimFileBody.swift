import Ingest

/// Reads a `text/csv` body (the extract layout: a header naming Tuva `medical_claim` columns,
/// then one row per claim line) or an `application/edi-x12` body (an 837P/837I interchange) into
/// extract rows with the same reader `lbp check` uses (`ExtractRows`), so a body is held to the
/// loader's rules. A row's `line` is its text line (the header is line 1) or its X12 segment number.
enum ClaimFileBody {
    /// - Throws: `ServiceError` 422 when the header or the X12 envelope cannot be read.
    static func rows(_ bytes: [UInt8]) throws -> [ExtractRow] {
        do {
            return try ExtractRows.read(bytes: bytes, path: "the body")
        } catch let error as IngestError {
            throw ServiceError(.unprocessableContent, error.description)
        }
    }
}
