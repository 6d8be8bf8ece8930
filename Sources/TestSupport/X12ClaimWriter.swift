/// One claim for a test 837 file, written by `X12ClaimWriter` both as X12 and as the Tuva CSV
/// rows the X12 reader should turn it into.
public struct TestClaim837: Sendable {
    public var id: String
    public var institutional: Bool
    public var member: String
    public var payer: String
    /// CLM05-3: 1 original, 7 replacement, 8 void (7 and 8 get a REF*F8).
    public var frequency: String
    /// CLM05-1: place of service (837P) or facility type (837I).
    public var facility: String
    public var diagnoses: [String]
    public var icd9: Bool
    /// 837I statement period (DTP*434), CCYYMMDD.
    public var statement: (first: String, last: String)?
    public var lines: [TestLine837]

    public init(id: String, institutional: Bool = false, member: String, payer: String = "ACME", frequency: String = "1",
                facility: String? = nil, diagnoses: [String], icd9: Bool = false, statement: (first: String, last: String)? = nil,
                lines: [TestLine837]) {
        self.id = id
        self.institutional = institutional
        self.member = member
        self.payer = payer
        self.frequency = frequency
        self.facility = facility ?? (institutional ? "13" : "11")
        self.diagnoses = diagnoses
        self.icd9 = icd9
        self.statement = statement
        self.lines = lines
    }
}

/// One service line (2400) of a `TestClaim837`.
public struct TestLine837: Sendable {
    public var number: Int
    /// DTP*472, CCYYMMDD; `last` makes it an RD8 range.
    public var first: String?
    public var last: String?
    public var hcpcs: String
    public var modifiers: [String]
    public var charge: String
    public var revenue: String
    /// SV105 (837P).
    public var placeOfService: String

    public init(number: Int, first: String? = nil, last: String? = nil, hcpcs: String = "", modifiers: [String] = [],
                charge: String = "100", revenue: String = "", placeOfService: String = "") {
        self.number = number
        self.first = first
        self.last = last
        self.hcpcs = hcpcs
        self.modifiers = modifiers
        self.charge = charge
        self.revenue = revenue
        self.placeOfService = placeOfService
    }
}

/// Writes test claims as an X12 837 interchange and as the equivalent Tuva `medical_claim` CSV.
///
/// The CSV side applies docs/x12.md's mapping independently of the reader, so loading both must
/// store the same history.
public enum X12ClaimWriter {
    /// An ISA of the standard's fixed width with the given separators (element, component,
    /// repetition, segment terminator).
    public static func isa(_ separators: String = "*:^~", control: Int = 1) -> String {
        let s = Array(separators)
        let e = String(s[0])
        let fields = ["ISA", "00", pad("", 10), "00", pad("", 10), "ZZ", pad("SENDER", 15), "ZZ", pad("RECEIVER", 15),
                      "240101", "1200", String(s[2]), "00501", pad(String(control), 9, zeros: true), "0", "P", String(s[1])]
        return fields.joined(separator: e) + String(s[3])
    }

    /// The claims as one interchange: one group and transaction set per claim type.
    public static func interchange(_ claims: [TestClaim837], separators: String = "*:^~", lineBreak: String = "\n") -> String {
        let s = Array(separators)
        let e = String(s[0]), c = String(s[1]), t = String(s[3]) + lineBreak
        var out = isa(separators) + lineBreak
        var groups = 0
        for institutional in [false, true] {
            let group = claims.filter { $0.institutional == institutional }
            guard !group.isEmpty else { continue }
            groups += 1
            let version = institutional ? "005010X223A2" : "005010X222A1"
            var body: [[String]] = [
                ["ST", "837", "000\(groups)", version], ["BHT", "0019", "00", "1", "20240101", "1200", "CH"],
                ["NM1", "41", "2", "SUBMITTER", "", "", "", "", "46", "S1"], ["NM1", "40", "2", "PAYER", "", "", "", "", "46", "R1"],
                ["HL", "1", "", "20", "1"], ["NM1", "85", "2", "BILLING", "", "", "", "", "XX", "1234567893"],
            ]
            for (index, claim) in group.enumerated() {
                body.append(["HL", String(index + 2), "1", "22", "0"])
                body.append(["SBR", "P", "18", "", "", "", "", "", "", "CI"])
                body.append(["NM1", "IL", "1", "DOE", "PAT", "", "", "", "MI", claim.member])
                body.append(["NM1", "PR", "2", claim.payer, "", "", "", "", "PI", "P1"])
                body.append(["CLM", claim.id, "100", "", "", [claim.facility, institutional ? "A" : "B", claim.frequency].joined(separator: c), "Y", "A", "Y", "Y"])
                if claim.frequency == "7" || claim.frequency == "8" { body.append(["REF", "F8", "PAYER-\(claim.id)"]) }
                if let statement = claim.statement {
                    body.append(statement.first == statement.last ? ["DTP", "434", "D8", statement.first]
                                : ["DTP", "434", "RD8", statement.first + "-" + statement.last])
                }
                let principal = claim.icd9 ? "BK" : "ABK", other = claim.icd9 ? "BF" : "ABF"
                var composites: [String] = []
                for (position, code) in claim.diagnoses.enumerated() { composites.append((position == 0 ? principal : other) + c + code) }
                // Principal and others in separate HI segments, as 837I files often have them.
                if !composites.isEmpty { body.append(["HI", composites[0]]) }
                if composites.count > 1 { body.append(["HI"] + composites.dropFirst()) }
                for line in claim.lines {
                    body.append(["LX", String(line.number)])
                    let procedure = line.hcpcs.isEmpty ? "" : (["HC", line.hcpcs] + line.modifiers).joined(separator: c)
                    if institutional {
                        body.append(["SV2", line.revenue, procedure, line.charge, "UN", "1"])
                    } else {
                        body.append(["SV1", procedure, line.charge, "UN", "1", line.placeOfService, "", "1"])
                    }
                    if let first = line.first {
                        body.append(line.last.map { ["DTP", "472", "RD8", first + "-" + $0] } ?? ["DTP", "472", "D8", first])
                    }
                }
            }
            out += ["GS", "HC", "SENDER", "RECEIVER", "20240101", "1200", String(groups), "X", version].joined(separator: e) + t
            for segment in body { out += segment.joined(separator: e) + t }
            out += ["SE", String(body.count + 1), "000\(groups)"].joined(separator: e) + t
            out += ["GE", "1", String(groups)].joined(separator: e) + t
        }
        out += ["IEA", String(groups), pad("1", 9, zeros: true)].joined(separator: e) + t
        return out
    }

    /// The Tuva CSV rows the 837 of `claims` maps to (docs/x12.md).
    public static func csv(_ claims: [TestClaim837]) -> String {
        var text = "claim_id,claim_line_number,claim_type,member_id,claim_start_date,claim_end_date,claim_line_start_date,"
            + "place_of_service_code,bill_type_code,revenue_center_code,hcpcs_code,hcpcs_modifier_1,hcpcs_modifier_2,"
            + "hcpcs_modifier_3,hcpcs_modifier_4,charge_amount,claim_frequency_code,payer,diagnosis_code_type,"
            + (1...25).map { "diagnosis_code_\($0)" }.joined(separator: ",") + "\n"
        for claim in claims {
            let start: String, end: String
            if claim.institutional {
                start = claim.statement?.first ?? ""
                end = claim.statement?.last ?? ""
            } else {
                start = claim.lines.compactMap(\.first).min() ?? ""
                end = claim.lines.compactMap { $0.last ?? $0.first }.max() ?? ""
            }
            for line in claim.lines {
                let modifiers = (0..<4).map { $0 < line.modifiers.count ? line.modifiers[$0] : "" }
                let row = [claim.id, String(line.number), claim.institutional ? "institutional" : "professional", claim.member,
                           start, end, line.first ?? "",
                           claim.institutional ? "" : (line.placeOfService.isEmpty ? claim.facility : line.placeOfService),
                           claim.institutional ? claim.facility + claim.frequency : "", line.revenue, line.hcpcs]
                    + modifiers + [line.charge, claim.frequency, claim.payer, claim.icd9 ? "icd-9-cm" : "icd-10-cm"]
                    + (0..<25).map { $0 < claim.diagnoses.count ? claim.diagnoses[$0] : "" }
                text += row.joined(separator: ",") + "\n"
            }
        }
        return text
    }

    private static func pad(_ text: String, _ width: Int, zeros: Bool = false) -> String {
        zeros ? String(repeating: "0", count: max(0, width - text.count)) + text
              : text + String(repeating: " ", count: max(0, width - text.count))
    }
}
