import DelimitedText
import Foundation
import Ingest
import SQLiteDB
import Testing
import TestSupport
import X12

/// Hostile X12 files through the real loader (the loader fuzz harness: no crash, no hang, counts
/// add up, every rejected row in the rejects file, a file-level failure leaves the database as it
/// was) and through the X12 reader alone.
@Suite
struct X12FuzzTests {
    static let claims: [TestClaim837] = (1...8).map { n in
        TestClaim837(id: "X\(n)", institutional: n % 3 == 0, member: "M\(n % 4)", frequency: n == 7 ? "7" : "1",
                     diagnoses: ["M5450"] + (n % 2 == 0 ? ["S32000A"] : []), icd9: n == 5,
                     statement: n % 3 == 0 ? ("20240301", "20240303") : nil,
                     lines: (1...(1 + n % 3)).map { TestLine837(number: $0, first: "2024030\($0)", hcpcs: $0 == 1 ? "72148" : "99213", revenue: n % 3 == 0 ? "0350" : "") })
    }
    static let valid = X12ClaimWriter.interchange(claims)

    static func generate(_ rng: inout SplitMix64) -> LoaderFuzzTests.FuzzInput {
        let bytes = Array(valid.utf8)
        let segments = valid.split(separator: "~").map { String($0) + "~" }
        let isa = Array(X12ClaimWriter.isa().utf8)
        func input(_ label: String, _ bytes: [UInt8]) -> LoaderFuzzTests.FuzzInput { .init(label: label, bytes: bytes, kind: .claims) }
        switch rng.int(0..<9) {
        case 0:
            return input("x12 random bytes after an ISA", isa + rng.bytes(rng.int(0...3_000)))
        case 1:
            return input("x12 truncated", Array(bytes.prefix(rng.int(0...bytes.count))))
        case 2:
            var copy = segments
            for _ in 0..<rng.int(1...6) { let i = rng.int(0..<copy.count); copy.insert(copy[i], at: i) }
            return input("x12 duplicated segments", Array(copy.joined().utf8))
        case 3:
            var copy = segments
            for _ in 0..<rng.int(1...4) where copy.count > 1 { copy.remove(at: rng.int(1..<copy.count)) }
            return input("x12 dropped segments", Array(copy.joined().utf8))
        case 4:
            // Separators that collide: ISA16 or the terminator made equal to another separator, or the body's separators swapped.
            var copy = bytes
            switch rng.int(0..<3) {
            case 0: copy[104] = rng.pick([42, 126, 58])
            case 1: copy[105] = rng.pick([42, 58, 94])
            default: copy = copy.map { $0 == 58 ? 42 : $0 == 42 ? 58 : $0 }
            }
            return input("x12 colliding separators", copy)
        case 5:
            var copy = bytes
            for _ in 0..<rng.int(1...12) { copy[rng.int(0..<copy.count)] = UInt8.random(in: 0...255, using: &rng) }
            return input("x12 byte flips", copy)
        case 6:
            var copy = bytes
            let structural: [UInt8] = [126, 42, 58, 94, 10, 13, 0, 32]
            for _ in 0..<rng.int(1...8) { copy[rng.int(106..<copy.count)] = rng.pick(structural) }
            return input("x12 structural flips", copy)
        case 7:
            // Claim-level damage that must reject claims, not fail the file.
            let damaged = valid.replacingOccurrences(of: rng.pick(["HI*ABK:", "LX*1~", "DTP*472*D8*20240301", "NM1*IL*1*DOE*PAT****MI*M1", "CLM*X2*"]),
                                                     with: rng.pick(["HI*ABJ:", "LX*0~", "DTP*472*D8*20240231", "NM1*IL*1*DOE*PAT****MI*", "CLM**"]))
            return input("x12 damaged claims", Array(damaged.utf8))
        default:
            let repeated = (0..<rng.int(1...3)).map { _ in valid }.joined(separator: rng.pick(["", "\n", "\r\n", "\u{0}"]))
            return input("x12 several interchanges", [0xEF, 0xBB, 0xBF] + Array(repeated.utf8))
        }
    }

    @Test(.timeLimit(FuzzConfig.timeLimit))
    func seededHostileX12FilesNeverCrashOrLoseRows() throws {
        var rng = SplitMix64(seed: FuzzConfig.seed ^ 0x837)
        let harness = try LoaderFuzzTests.Harness()
        var labels: [String: Int] = [:]
        let count = max(FuzzConfig.iterations / 2, 20)
        for _ in 0..<count {
            let input = Self.generate(&rng)
            labels[input.label, default: 0] += 1
            try harness.run(input)
        }
        print("[reliability] X12 fuzz: \(count) inputs; by generator \(labels.sorted { $0.key < $1.key }); "
              + "outcomes \(harness.outcomes.sorted { $0.key < $1.key }); rows read \(harness.rowsRead), rows lost \(harness.rowsLost)")
        #expect(harness.rowsLost == 0)
        #expect(harness.outcomes["report", default: 0] > 0 && harness.outcomes["badX12", default: 0] > 0)
    }

    @Test func aTenMegabyteElementAndAHundredThousandUnterminatedSegments() throws {
        let harness = try LoaderFuzzTests.Harness()
        // A 10 MB charge amount: kept whole, like the CSV loader keeps a 10 MB field.
        let big = String(repeating: "9", count: 10 << 20)
        let text = Self.valid.replacingOccurrences(of: "SV1*HC:72148*100*", with: "SV1*HC:72148*\(big)*")
        try harness.run(.init(label: "10 MB element", bytes: Array(text.utf8), kind: .claims))
        #expect(try harness.history.db.scalarInt("SELECT max(length(charge_amount)) FROM claim_line") == 10 << 20)
        // 100,000 segments without a terminator: one long segment, then the end of the file inside
        // the transaction set: the file fails, the database is unchanged (the harness checks).
        let head = Self.valid.components(separatedBy: "HL*1")[0]   // ISA, GS, ST, BHT, NM1s
        let unterminated = String(head) + String(repeating: "NTE*ADD*NOTE\n", count: 100_000)
        try harness.run(.init(label: "100,000 unterminated segments", bytes: Array(unterminated.utf8), kind: .claims))
        #expect(harness.outcomes["report"] == 1 && harness.outcomes["badX12"] == 1)
        #expect(harness.rowsLost == 0)
    }

    @Test(.timeLimit(FuzzConfig.timeLimit))
    func readerTerminatesOnRandomInputAcrossChunkSizes() throws {
        var rng = SplitMix64(seed: FuzzConfig.seed ^ 0x12)
        var records = 0, failures = 0
        for _ in 0..<FuzzConfig.iterations {
            let input = Self.generate(&rng)
            let reader = X12ClaimReader(source: MemorySource(input.bytes), maxSegmentBytes: rng.pick([200, 4_096, 64 << 20]),
                                        maxClaimBytes: rng.pick([300, 64 << 20]), chunkBytes: rng.pick([256, 300, 1 << 20]))
            var count = 0
            do {
                while try reader.next() {
                    count += 1
                    if reader.defect == nil { for i in 0..<reader.fieldCount { _ = reader.string(i) } }
                    _ = reader.rawRecord
                    // Every record stands on a segment: more records than bytes means a loop.
                    guard count <= input.bytes.count else { Issue.record("\(input.label): the reader does not advance"); break }
                }
            } catch is X12Error {
                failures += 1
            }
            records += count
        }
        print("[reliability] X12 reader fuzz: \(FuzzConfig.iterations) inputs, \(records) records, \(failures) file-level failures")
        #expect(records > 0 && failures > 0)
    }
}
