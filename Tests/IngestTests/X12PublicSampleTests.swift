import Foundation
import History
import Ingest
import Testing
import TestSupport

/// Every public 837 sample of an external corpus (open-source X12 parsers' test files, not shipped
/// here because of their licences; `$LBP_X12_SAMPLES`, else `x12-samples` in a `shared` folder
/// beside the checkout) loads, rejects or fails for the reason its PROVENANCE.md gives. Skipped,
/// saying so, where the folder is absent.
@Suite
struct X12PublicSampleTests {
    /// The samples folder: `$LBP_X12_SAMPLES`, else beside the package root.
    static let folder: String = {
        if let given = ProcessInfo.processInfo.environment["LBP_X12_SAMPLES"], !given.isEmpty { return given }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return root.appendingPathComponent("../shared/x12-samples").standardized.path
    }()
    static let present = FileManager.default.fileExists(atPath: folder + "/PROVENANCE.md")

    enum Outcome: Sendable, CustomStringConvertible {
        /// read, loaded, rejected; the reject kinds (kind: count); envelope warnings.
        case loads(read: Int, loaded: Int, rejected: Int, rejects: [String: Int] = [:], warnings: Int = 0)
        /// The file cannot be read: the error contains this.
        case fails(String)

        var description: String {
            switch self {
            case .loads(let r, let l, let j, let k, let w): "read \(r) loaded \(l) rejected \(j) \(k) warnings \(w)"
            case .fails(let m): "fails: \(m)"
            }
        }
    }

    // Why each outcome, from PROVENANCE.md: imsweb's 837Ps write `HI*BK*8901*BF*...` (qualifier and
    // code in separate elements), so no principal diagnosis can be read; files whose body uses `>`
    // while ISA16 declares `:` (or `^`) have no readable diagnosis either; TigerShark's 837I holds
    // the same claim twice (the second copy's lines are duplicates); the masked envelope, the
    // 9-character ISA02 and the UTF-16 fragment cannot be read. Trailer counts in several files are wrong (warnings).
    static let expected: [(String, Outcome)] = [
        ("azoner__pyx12/simple_837p.txt", .loads(read: 5, loaded: 5, rejected: 0)),
        ("azoner__pyx12/simple_837i.txt", .loads(read: 6, loaded: 6, rejected: 0)),
        ("LinuxForHealth__x12/demo.837", .loads(read: 4, loaded: 4, rejected: 0)),
        ("LinuxForHealth__x12/demo.837i", .loads(read: 2, loaded: 2, rejected: 0)),
        ("LinuxForHealth__x12/demo.cob.example3.B.837", .loads(read: 3, loaded: 3, rejected: 0)),
        ("LinuxForHealth__x12/demo.drug.example10.2.837", .loads(read: 6, loaded: 6, rejected: 0)),
        ("LinuxForHealth__x12/demo.example7.837", .loads(read: 2, loaded: 2, rejected: 0)),
        ("LinuxForHealth__x12/demo.example9.837", .loads(read: 1, loaded: 0, rejected: 1, rejects: ["empty_required": 1])),
        ("LinuxForHealth__x12/two-claims-single-provider.837i", .loads(read: 3, loaded: 3, rejected: 0)),
        ("LinuxForHealth__x12/ppo-repriced-claim.837i", .loads(read: 2, loaded: 0, rejected: 2, rejects: ["empty_required": 2])),
        ("imsweb__x12-parser/x12_valid.txt", .loads(read: 2, loaded: 0, rejected: 2, rejects: ["empty_required": 2], warnings: 1)),
        ("imsweb__x12-parser/x12_valid_different_separators.txt", .loads(read: 2, loaded: 0, rejected: 2, rejects: ["empty_required": 2], warnings: 1)),
        ("imsweb__x12-parser/x12_multiple_isa.txt", .loads(read: 4, loaded: 0, rejected: 4, rejects: ["empty_required": 4], warnings: 2)),
        ("imsweb__x12-parser/x12_multiple_gs.txt", .loads(read: 6, loaded: 0, rejected: 6, rejects: ["empty_required": 6], warnings: 4)),
        ("imsweb__x12-parser/x12_multiple_st.txt", .loads(read: 4, loaded: 0, rejected: 4, rejects: ["empty_required": 4], warnings: 3)),
        ("imsweb__x12-parser/x12_complex.txt", .loads(read: 10, loaded: 0, rejected: 10, rejects: ["empty_required": 10], warnings: 3)),
        ("imsweb__x12-parser/x12_many_claims.txt", .loads(read: 820, loaded: 0, rejected: 820, rejects: ["empty_required": 820], warnings: 1)),
        ("imsweb__x12-parser/x223-test.txt", .loads(read: 1, loaded: 1, rejected: 0, warnings: 1)),
        ("imsweb__x12-parser/x12_bad_first_line.txt", .fails("ISA02 does not have its fixed width")),
        // Missing LX (an SV1 without its LX rejects its claim) besides the BK quirk.
        ("imsweb__x12-parser/x12_missing_required_loops_mult_repeats.txt",
         .loads(read: 5, loaded: 0, rejected: 5, rejects: ["empty_required": 3, "malformed_row": 2], warnings: 1)),
        ("imsweb__x12-parser/x12_segments_out_of_order.txt", .loads(read: 2, loaded: 0, rejected: 2, rejects: ["empty_required": 2], warnings: 1)),
        ("albmarin__badX12/X222-commercial-health-insurance.edi", .loads(read: 4, loaded: 4, rejected: 0)),
        ("albmarin__badX12/X222-COB-claim-from-billing-provider-to-payer-a.edi", .loads(read: 3, loaded: 3, rejected: 0)),
        ("albmarin__badX12/X222-home-infusion-therapy-pharmacy-HCPCS-2400.edi", .loads(read: 6, loaded: 6, rejected: 0)),
        ("albmarin__badX12/X222-anesthesia.edi", .loads(read: 1, loaded: 1, rejected: 0)),
        ("albmarin__badX12/X222-wheelchair.edi", .loads(read: 1, loaded: 1, rejected: 0)),
        ("UHIN__x12-parser-library/837.edi", .loads(read: 1, loaded: 1, rejected: 0)),
        ("zentist__TigerShark/5010-837-professional-example.txt", .loads(read: 2, loaded: 2, rejected: 0)),
        ("zentist__TigerShark/5010-837-institutional-example.txt", .loads(read: 4, loaded: 2, rejected: 2, rejects: ["duplicate_line": 2], warnings: 3)),
        ("Inteligenz__X12Parser/Example1_2_And_3_Combined.txt", .loads(read: 11, loaded: 11, rejected: 0)),
        ("Inteligenz__X12Parser/5010_Example2_WithRepeats.txt", .loads(read: 12, loaded: 12, rejected: 0)),
        ("Inteligenz__X12Parser/ST1309-XX.txt", .loads(read: 2, loaded: 2, rejected: 0)),
        ("Inteligenz__X12Parser/MedicaidExample_WithTrailingBlanks.txt", .loads(read: 10, loaded: 0, rejected: 10, rejects: ["empty_required": 10])),
        ("Inteligenz__X12Parser/Spec_3.1.1.txt", .loads(read: 2, loaded: 0, rejected: 2, rejects: ["empty_required": 2])),
        ("Inteligenz__X12Parser/Spec_3.1.2_TwoClaimsForTheSameProvider.txt", .loads(read: 3, loaded: 3, rejected: 0)),
        ("Inteligenz__X12Parser/InstitutionalClaim5010.txt", .loads(read: 2, loaded: 2, rejected: 0, warnings: 1)),
        ("Inteligenz__X12Parser/837_DeIdent_05.dat", .fails("implementation '999999X999X9' is unknown")),
        ("Inteligenz__X12Parser/UnicodeExample.txt", .fails("UTF-16")),
    ]

    @Test(.enabled(if: present, "no public 837 samples folder ($LBP_X12_SAMPLES): they are not tested"))
    func everySampleLoadsRejectsOrFailsAsItsProvenanceSays() throws {
        // Every sample in the folder has an expectation.
        let files = try FileManager.default.subpathsOfDirectory(atPath: Self.folder)
            .filter { $0.contains("/") && !$0.hasSuffix(".md") && !$0.contains("LICENSE") && !$0.hasSuffix("License.html") }
        #expect(Set(files) == Set(Self.expected.map(\.0)))
        for (file, outcome) in Self.expected {
            let history = try TestHistory()
            let path = Self.folder + "/" + file
            switch outcome {
            case .loads(let read, let loaded, let rejected, let kinds, let warnings):
                let report = try loadFile(history, path: path, kind: .claims)
                try expectCountsAddUp(report, history.db)
                #expect(report.format == .x12, "\(file)")
                #expect(counts(report) == [read, loaded, rejected], "\(file): \(report.countsLine)")
                #expect(report.rejectsByKind == kinds, "\(file)")
                #expect(report.envelopeWarnings.count == warnings, "\(file): \(report.envelopeWarnings)")
                let lines = try history.db.scalarInt("SELECT count(*) FROM claim_line") ?? -1
                #expect(lines == Int64(loaded), "\(file)")
            case .fails(let message):
                let before = try databaseDigest(history.db)
                #expect {
                    try loadFile(history, path: path, kind: .claims)
                } throws: { error in
                    "\(error)".contains(message)
                }
                #expect(try databaseDigest(history.db) == before, "\(file)")
            }
        }
    }

    @Test(.enabled(if: present, "no public 837 samples folder ($LBP_X12_SAMPLES)"))
    func samplesMapAsTheirProvenanceDescribes() throws {
        let history = try TestHistory()
        func load(_ file: String) throws { _ = try loadFile(history, path: Self.folder + "/" + file, kind: .claims) }
        // 4010 837I: replacement claims (CLM05 11:A:7), RD8 statement dates, SV2 without HCPCS.
        try load("azoner__pyx12/simple_837i.txt")
        let i = try rows(history.db, "SELECT DISTINCT claim_type, frequency_code, dx_code_type FROM claim")
        #expect(i == [[.text("institutional"), .text("7"), .text("icd-9-cm")]])
        #expect(try rows(history.db, "SELECT DISTINCT bill_type_code FROM claim_line") == [[.text("117")]])
        // ICD-10 professional with RD8 line dates.
        try load("UHIN__x12-parser-library/837.edi")
        let uhin = try rows(history.db, "SELECT c.dx_code_type, d.code FROM claim c JOIN claim_diagnosis d USING (claim_id) WHERE c.claim_type = 'professional'")
        #expect(uhin == [[.text("icd-10-cm"), .text("R69")]])
        #expect(try rows(history.db, "SELECT hcpcs_code FROM claim_line WHERE hcpcs_code = '90834'").count == 1)
        // GS08 says X222, ST03 X223: institutional, with TOB 13 + 1.
        try load("Inteligenz__X12Parser/Spec_3.1.2_TwoClaimsForTheSameProvider.txt")
        #expect(try history.db.scalarInt("SELECT count(*) FROM claim_line WHERE bill_type_code = '131'") == 3)
    }
}
