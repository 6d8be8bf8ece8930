import DelimitedText
import Ingest
import X12

/// Reads an `application/edi-x12` body (an 837P or 837I interchange) into extract rows with the
/// loader's X12 reader: one row per service line, in Tuva `medical_claim` columns. A row's `line`
/// is the segment number of its LX (or of the claim's CLM for a claim the reader rejects whole).
enum X12ClaimBody {
    static func rows(_ bytes: [UInt8]) throws -> [ExtractRow] {
        let reader = X12ClaimReader(source: MemorySource(bytes), maxSegmentBytes: ServiceLimits.maxBodyBytes,
                                    maxClaimBytes: ServiceLimits.maxBodyBytes)
        var rows: [ExtractRow] = []
        do {
            while try reader.next() {
                if let defect = reader.defect {
                    throw ServiceError(.unprocessableContent, defect.message, field: defect.column, line: reader.lineNumber)
                }
                var fields: [String: String] = [:]
                for (index, name) in MedicalClaimRow.columns.enumerated() { fields[name] = reader.string(index) }
                rows.append(ExtractRow(line: reader.lineNumber, fields: fields))
            }
        } catch let error as X12Error {
            throw ServiceError(.unprocessableContent, "cannot read the X12 body: \(error.description)")
        }
        guard !rows.isEmpty else { throw ServiceError(.unprocessableContent, "the X12 body holds no claim") }
        return rows
    }
}
