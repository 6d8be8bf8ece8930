import DelimitedText
import TestSupport
import X12

/// One record the X12 reader presented: fields by Tuva column name, or the claim's defect.
struct ReadRecord: Equatable, CustomStringConvertible {
    var segment: Int
    var fields: [String: String]
    var defect: ClaimDefect?
    var raw: String

    subscript(_ column: String) -> String { fields[column] ?? "<no column \(column)>" }
    var description: String { defect.map { "\(segment) \($0.kind.rawValue) \($0.column): \($0.message)" } ?? "\(segment) \(fields["claim_id"] ?? "")/\(fields["claim_line_number"] ?? "")" }
}

/// Every record of an X12 text, with the reader's warnings.
func readAll(_ text: String, chunkBytes: Int = 1 << 20) throws -> (records: [ReadRecord], warnings: [String]) {
    try readAll(bytes: Array(text.utf8), chunkBytes: chunkBytes)
}

func readAll(bytes: [UInt8], chunkBytes: Int = 1 << 20, maxSegmentBytes: Int = 64 << 20) throws -> (records: [ReadRecord], warnings: [String]) {
    let reader = X12ClaimReader(source: MemorySource(bytes), maxSegmentBytes: maxSegmentBytes, chunkBytes: chunkBytes)
    var records: [ReadRecord] = []
    while try reader.next() {
        var fields: [String: String] = [:]
        if reader.defect == nil {
            for (index, name) in MedicalClaimRow.columns.enumerated() where !reader.field(index).isEmpty {
                fields[name] = reader.string(index)
            }
        }
        records.append(ReadRecord(segment: reader.lineNumber, fields: fields, defect: reader.defect,
                                  raw: String(decoding: reader.rawRecord, as: UTF8.self)))
    }
    return (records, reader.warnings)
}

/// The error an X12 text fails with (nil when it reads to the end).
func failure(_ text: String) -> X12Error? { failure(bytes: Array(text.utf8)) }

func failure(bytes: [UInt8]) -> X12Error? {
    do { _ = try readAll(bytes: bytes); return nil } catch let error as X12Error { return error } catch { return nil }
}

/// An interchange around the given transaction-set body segments (`~`-terminated, `*`-separated),
/// with correct trailer counts.
func interchange(_ body: [String], version: String = "005010X222A1", gsVersion: String? = nil) -> String {
    var text = X12ClaimWriter.isa() + "\n" + "GS*HC*S*R*20240101*1200*1*X*\(gsVersion ?? version)~\n"
    let set = ["ST*837*0001" + (version.isEmpty ? "" : "*" + version)] + body
    text += set.map { $0 + "~\n" }.joined()
    text += "SE*\(set.count + 1)*0001~\nGE*1*1~\nIEA*1*000000001~\n"
    return text
}

/// A subscriber loop and a professional claim with the given segments after its CLM.
func professionalClaim(_ id: String = "P1", member: String = "M1", clm05: String = "11:B:1", _ rest: [String]) -> [String] {
    ["HL*1**20*1", "NM1*85*2*BILLING*****XX*1234567893", "HL*2*1*22*0", "SBR*P*18*******CI",
     "NM1*IL*1*DOE*JANE****MI*\(member)", "NM1*PR*2*ACME*****PI*P1", "CLM*\(id)*100***\(clm05)*Y*A*Y*Y"] + rest
}
