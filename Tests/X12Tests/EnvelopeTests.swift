import DelimitedText
import Foundation
import Testing
import TestSupport
@testable import X12

/// Separators, line breaks, padding, several envelopes, trailer warnings and envelope failures.
@Suite
struct EnvelopeTests {
    static let claims = [
        TestClaim837(id: "A1", member: "M1", diagnoses: ["M545", "M5416"], lines: [
            TestLine837(number: 1, first: "20240305", hcpcs: "99213"), TestLine837(number: 2, first: "20240306", hcpcs: "72148", modifiers: ["26"]),
        ]),
        TestClaim837(id: "B2", institutional: true, member: "M2", diagnoses: ["M545"], statement: ("20240301", "20240302"), lines: [
            TestLine837(number: 1, hcpcs: "72131", revenue: "0350"),
        ]),
    ]

    static func summary(_ records: [ReadRecord]) -> [String] {
        records.map { r in
            [r["claim_id"], r["claim_line_number"], r["member_id"], r["claim_type"], r["claim_start_date"], r["hcpcs_code"],
             r.fields["hcpcs_modifier_1"] ?? "", r["diagnosis_code_1"], r.fields["diagnosis_code_2"] ?? ""].joined(separator: "|")
        }
    }

    static let expected = ["A1|1|M1|professional|20240305|99213||M545|M5416", "A1|2|M1|professional|20240305|72148|26|M545|M5416",
                           "B2|1|M2|institutional|20240301|72131||M545|"]

    @Test(arguments: [("*:^~", "\n"), ("*:^~", ""), ("*:^~", "\r\n"), ("|>!\n", ""), ("~^`_", "\n"), ("!@#$", "\r\n"),
                      ("*:^\r", "\n"), ("\u{1D}\u{1F}\u{1E}\u{1C}", "")])
    func separatorsAndLineBreaksFromEachISA(separators: String, lineBreak: String) throws {
        let text = X12ClaimWriter.interchange(Self.claims, separators: separators, lineBreak: lineBreak)
        if lineBreak.isEmpty && separators.last != "\n" { #expect(!text.contains("\n"), "a single-line file") }
        let (records, warnings) = try readAll(text)
        #expect(Self.summary(records) == Self.expected, "separators \(separators.debugDescription)")
        #expect(warnings.isEmpty)
        // The same across every chunk boundary.
        let small = try readAll(text, chunkBytes: 7).records
        #expect(Self.summary(small) == Self.expected)
    }

    @Test func bomIndentationAndNULPadding() throws {
        let body = X12ClaimWriter.interchange(Self.claims, lineBreak: "\r\n")
            .split(separator: "\n").map { "   " + $0 }.joined(separator: "\n")
        let bytes = [0xEF, 0xBB, 0xBF] + Array("\r\n \t".utf8) + Array(body.utf8) + [UInt8](repeating: 0, count: 24)
        let (records, warnings) = try readAll(bytes: bytes)
        #expect(Self.summary(records) == Self.expected)
        #expect(warnings.isEmpty)
        #expect(X12Detection.isX12(prefix: bytes))
    }

    @Test func severalInterchangesGroupsAndTransactionSetsWithTheirOwnSeparators() throws {
        let first = X12ClaimWriter.interchange([Self.claims[0]], separators: "*:^~")
        let second = X12ClaimWriter.interchange([Self.claims[1]], separators: "|>!\n", lineBreak: "")
        // Two transaction sets in one group and two groups in one interchange (the writer's own layout).
        let third = X12ClaimWriter.interchange(Self.claims, separators: "~^`_")
        let (records, warnings) = try readAll(first + second + third)
        #expect(Self.summary(records) == [Self.expected[0], Self.expected[1], Self.expected[2]] + Self.expected)
        #expect(warnings.isEmpty)
    }

    @Test func trailerCountsThatDisagreeAreWarnings() throws {
        var text = X12ClaimWriter.interchange([Self.claims[0]])
        text = text.replacingOccurrences(of: "SE*", with: "SE*9").replacingOccurrences(of: "GE*1*1", with: "GE*2*7")
            .replacingOccurrences(of: "IEA*1*000000001", with: "IEA*x*000000002")
        let (records, warnings) = try readAll(text)
        #expect(records.count == 2)
        // ISA 1, GS 2, ST 3 ... SE, GE, IEA are the last three segments.
        let iea = text.filter { $0 == "~" }.count, ge = iea - 1, se = iea - 2
        #expect(warnings == [
            "segment \(se): SE01 says 9\(se - 2) segments; the file has \(se - 2)",
            "segment \(ge): GE01 says 2 transaction sets; the file has 1",
            "segment \(ge): control number GE02 differs from GS06",
            "segment \(iea): IEA01 says 'x' functional groups; the file has 1",
            "segment \(iea): control number IEA02 differs from ISA13",
        ])
    }

    @Test func envelopeFailures() throws {
        let good = X12ClaimWriter.interchange([Self.claims[0]])
        #expect(failure("GS*HC*S*R~") == .noInterchangeHeader)
        #expect(failure("") == .noInterchangeHeader)
        #expect(failure("\n\n  ") == .noInterchangeHeader)
        // ISA02 one character short: the fixed widths do not hold.
        let short = good.replacingOccurrences(of: "*00*          *00*", with: "*00*         *00*")
        #expect(failure(short) == .malformedISA(segment: 1, reason: "ISA02 does not have its fixed width"))
        #expect(failure(String(good.prefix(80))) == .malformedISA(segment: 1, reason: "the file ends before the ISA's 106 characters"))
        // Colliding separators.
        let collide = X12ClaimWriter.isa("*:^:") + "GS*HC~"
        #expect(failure(collide) == .malformedISA(segment: 1, reason: "the segment terminator after ISA16 is missing or collides with another separator"))
        let sameComponent = X12ClaimWriter.isa("**^~")
        if case .malformedISA = failure(sameComponent) {} else { Issue.record("element = component separator must fail") }
        // Unterminated envelopes.
        let noIEA = good.replacingOccurrences(of: "IEA*1*000000001~\n", with: "")
        #expect(failure(noIEA) == .unterminated(open: "interchange", openedAt: 1))
        let cut = String(good.prefix(upTo: good.range(of: "SE*")!.lowerBound))
        #expect(failure(cut) == .unterminated(open: "transaction set", openedAt: 3))
        // A second ST before the SE.
        let nested = good.replacingOccurrences(of: "BHT*", with: "ST*837*2*005010X222A1~BHT*")
        #expect(failure(nested) == .misplacedSegment(segment: 4, id: "ST", reason: "opens a transaction set outside a functional group or inside another transaction set (an SE is missing)"))
        // Text after the interchange that is not another ISA.
        let segments = good.filter { $0 == "~" }.count
        #expect(failure(good + "HELLO*WORLD~") == .misplacedSegment(segment: segments + 1, id: "HEL", reason: "stands outside an interchange (ISA...IEA)"))
        // UTF-16.
        var utf16: [UInt8] = [0xFF, 0xFE]
        for unit in good.utf16 { utf16 += [UInt8(unit & 0xFF), UInt8(unit >> 8)] }
        #expect(failure(bytes: utf16) == .utf16)
        #expect(failure(bytes: Array(utf16.dropFirst(2))) == .utf16)
        #expect(X12Detection.isX12(prefix: utf16))
        // Error messages name positions, never values.
        #expect(X12Error.unterminated(open: "interchange", openedAt: 1).description
                == "the file ends inside the interchange opened at segment 1 (its trailer is missing)")
    }
}
