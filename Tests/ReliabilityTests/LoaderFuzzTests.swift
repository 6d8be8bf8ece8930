import DelimitedText
import Foundation
import History
import Ingest
import SQLiteDB
import Testing
import TestSupport

/// How much fuzzing: `LBP_FUZZ_ITERATIONS` (default a few hundred, for every `swift test`) and
/// `LBP_FUZZ_SEED`. `Scripts/fuzz-loaders` runs a long campaign with both.
enum FuzzConfig {
    static let iterations: Int = ProcessInfo.processInfo.environment["LBP_FUZZ_ITERATIONS"].flatMap { Int($0) } ?? 300
    static let seed: UInt64 = ProcessInfo.processInfo.environment["LBP_FUZZ_SEED"].flatMap { UInt64($0) } ?? 0x00F0_22ED
    /// A hang fails the test instead of blocking the run: 2 minutes, plus 1 per 1,000 iterations
    /// (a debug build runs about 30 inputs a second).
    static let timeLimit = TimeLimitTrait.Duration.minutes(iterations / 1_000 + 2)
}

/// Hostile extract files through the real loader: never a crash or a hang; either a file-level
/// `IngestError` with the database unchanged, or a report whose counts add up, with every
/// rejected row in the rejects file and every loaded row in the database.
@Suite
struct LoaderFuzzTests {
    /// A valid claims file with quoted fields (commas, embedded line breaks, escaped quotes), so
    /// truncations and mutations land in every state of the reader.
    static let validClaims: String = {
        var text = "claim_id,claim_line_number,claim_type,member_id,claim_start_date,claim_line_start_date,hcpcs_code,"
            + "charge_amount,claim_frequency_code,diagnosis_code_1,diagnosis_code_2,payer\n"
        for n in 1...24 {
            let member = "M\(n % 7)"
            let plan = n % 3 == 0 ? "\"Acme, \"\"Gold\"\"\nPlan\"" : "Acme"
            for line in 1...(1 + n % 3) {
                text += "C\(n),\(line),\(n % 5 == 0 ? "institutional" : "professional"),\(member),2024-0\(1 + n % 9)-1\(n % 10),"
                    + ",\(line == 1 && n % 2 == 0 ? "72148" : "99213"),\(100 + n),,M54.50,\(n % 4 == 0 ? "S32000A" : ""),\(plan)\r\n"
            }
        }
        return text
    }()

    static let validEligibility: String = {
        var text = "member_id,enrollment_start_date,enrollment_end_date,payer,plan\n"
        for n in 0..<20 { text += "M\(n % 9),2023-0\(1 + n % 9)-01,\(n % 4 == 0 ? "" : "2024-12-31"),\"Acme, Inc\",PPO\(n % 3)\n" }
        return text
    }()

    /// One generated input.
    struct FuzzInput {
        let label: String
        let bytes: [UInt8]
        let kind: ExtractKind
    }

    static func generate(_ rng: inout SplitMix64) -> FuzzInput {
        let claims = Array(validClaims.utf8)
        let eligibility = Array(validEligibility.utf8)
        func insert(_ extra: [UInt8], into base: [UInt8], times: Int) -> [UInt8] {
            var bytes = base
            for _ in 0..<times { bytes.insert(contentsOf: extra, at: rng.int(0...bytes.count)) }
            return bytes
        }
        let headerEnd = claims.firstIndex(of: 10)!
        switch rng.int(0..<16) {
        case 0:
            return FuzzInput(label: "random bytes", bytes: rng.bytes(rng.int(0...3_000)), kind: rng.chance(0.5) ? .claims : .eligibility)
        case 1:
            return FuzzInput(label: "random bytes after a valid header",
                             bytes: Array(claims[...headerEnd]) + rng.bytes(rng.int(0...3_000)), kind: .claims)
        case 2:
            return FuzzInput(label: "truncated claims", bytes: Array(claims.prefix(rng.int(0...claims.count))), kind: .claims)
        case 3:
            return FuzzInput(label: "truncated eligibility", bytes: Array(eligibility.prefix(rng.int(0...eligibility.count))), kind: .eligibility)
        case 4:
            return FuzzInput(label: "unbalanced quotes", bytes: insert([34], into: claims, times: rng.int(1...3)), kind: .claims)
        case 5:
            return FuzzInput(label: "NUL bytes", bytes: insert([0], into: claims, times: rng.int(1...4)), kind: .claims)
        case 6:
            let bad: [[UInt8]] = [[0xFF], [0xC3, 0x28], [0x80], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xE2, 0x82]]
            let isClaims = rng.chance(0.8)
            return FuzzInput(label: "invalid UTF-8", bytes: insert(rng.pick(bad), into: isClaims ? claims : eligibility, times: rng.int(1...4)),
                             kind: isClaims ? .claims : .eligibility)
        case 7:
            var bytes: [UInt8] = []
            for byte in claims {
                if byte == 13 { continue }
                if byte == 10 {
                    switch rng.int(0..<4) {
                    case 0: bytes += [13, 10]
                    case 1: bytes += [13]
                    case 2: bytes += [10, 10]
                    default: bytes += [10]
                    }
                } else { bytes.append(byte) }
            }
            return FuzzInput(label: "mixed line ends", bytes: bytes, kind: .claims)
        case 8:
            let header = Array(claims[...headerEnd])
            return FuzzInput(label: "header only", bytes: rng.chance(0.5) ? header : Array(header.dropLast()), kind: .claims)
        case 9:
            return FuzzInput(label: "empty file", bytes: rng.pick([[], [10], [13, 10, 10], [0xEF, 0xBB, 0xBF], [32, 10]]), kind: rng.chance(0.5) ? .claims : .eligibility)
        case 10:
            var lines = validClaims.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            var names = lines[0].split(separator: ",").map(String.init)
            let drop = rng.pick([0, 1, 2, 3, 4, 9])  // one of the required columns
            names.remove(at: drop)
            lines[0] = names.joined(separator: ",")
            return FuzzInput(label: "missing required column", bytes: Array(lines.joined(separator: "\n").utf8), kind: .claims)
        case 11:
            var lines = validClaims.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            var names = lines[0].split(separator: ",").map(String.init)
            names[rng.int(6..<names.count)] = rng.pick(["claim_id", "MEMBER_ID", " diagnosis_code_1 "])
            lines[0] = names.joined(separator: ",")
            return FuzzInput(label: "duplicate column", bytes: Array(lines.joined(separator: "\n").utf8), kind: .claims)
        case 12:
            var bytes = claims
            for _ in 0..<rng.int(1...12) { bytes[rng.int(0..<bytes.count)] = UInt8.random(in: 0...255, using: &rng) }
            return FuzzInput(label: "byte flips", bytes: bytes, kind: .claims)
        case 13:
            let structural: [UInt8] = [44, 34, 10, 13, 124, 9, 32]
            var bytes = claims
            for _ in 0..<rng.int(1...8) { bytes[rng.int(0..<bytes.count)] = rng.pick(structural) }
            return FuzzInput(label: "structural flips", bytes: bytes, kind: .claims)
        case 14:
            let delimiter = rng.pick([UInt8(ascii: "|"), 9])
            let bytes = claims.map { $0 == 44 ? delimiter : $0 }
            return FuzzInput(label: "other delimiter", bytes: [0xEF, 0xBB, 0xBF] + bytes.prefix(rng.int(0...bytes.count)), kind: .claims)
        default:
            // Rows spliced from both layouts, with ragged field counts.
            let rows = validClaims.split(separator: "\n").map(String.init) + validEligibility.split(separator: "\n").dropFirst().map(String.init)
            var text = String(validClaims.prefix { $0 != "\n" }) + "\n"
            for _ in 0..<rng.int(0...30) { text += rng.pick(rows) + (rng.chance(0.2) ? ",extra" : "") + "\n" }
            return FuzzInput(label: "spliced rows", bytes: Array(text.utf8), kind: .claims)
        }
    }

    /// Runs inputs through `ExtractLoader` and checks every outcome. Returns (inputs, rows lost).
    final class Harness {
        private(set) var history: TestHistory
        private var counter = 0
        private(set) var outcomes: [String: Int] = [:]
        private(set) var rowsRead = 0
        private(set) var rowsLost = 0
        private var loadsInHistory = 0

        init() throws { history = try TestHistory() }

        func run(_ input: FuzzInput, sourceLocation: SourceLocation = #_sourceLocation) throws {
            // A fresh history now and then keeps the per-input digest cheap in long campaigns.
            if loadsInHistory >= 400 { history = try TestHistory(); loadsInHistory = 0 }
            loadsInHistory += 1
            counter += 1
            let name = "fuzz_\(counter).csv"
            let path = history.directory.write(name, bytes: input.bytes)
            defer { try? FileManager.default.removeItem(atPath: path) }
            let rejectsPath = history.directory.file(name + ".rejects.csv")
            let before = try digest(history.db, tables: historyTables)
            let loader = ExtractLoader(db: history.db, options: .init(rejectsDirectory: history.directory.path, clock: history.clock))
            let what = "\(input.label) #\(counter)"
            do {
                let report = try loader.load(path: path, kind: input.kind)
                outcomes["report", default: 0] += 1
                try check(report, rejectsPath: rejectsPath, what: what, sourceLocation: sourceLocation)
            } catch let error as IngestError {
                switch error {
                case .notText: outcomes["notText", default: 0] += 1
                case .emptyFile: outcomes["emptyFile", default: 0] += 1
                case .missingColumns: outcomes["missingColumns", default: 0] += 1
                case .duplicateColumns: outcomes["duplicateColumns", default: 0] += 1
                case .badX12: outcomes["badX12", default: 0] += 1
                case .unreadable, .countsDoNotAddUp, .cannotWriteRejects:
                    Issue.record("\(what): unexpected file-level error: \(error)", sourceLocation: sourceLocation)
                }
                #expect(try digest(history.db, tables: historyTables) == before, "\(what): \(error) changed the database",
                        sourceLocation: sourceLocation)
                #expect(!FileManager.default.fileExists(atPath: rejectsPath), "\(what): a failed file left a rejects file",
                        sourceLocation: sourceLocation)
                #expect(!history.db.inTransaction, sourceLocation: sourceLocation)
            } catch {
                Issue.record("\(what): unexpected error \(type(of: error)): \(error)", sourceLocation: sourceLocation)
            }
            try? FileManager.default.removeItem(atPath: rejectsPath)
        }

        private func check(_ report: LoadReport, rejectsPath: String, what: String, sourceLocation: SourceLocation) throws {
            #expect(report.rowsRead == report.rowsLoaded + report.rowsRejected, "\(what): \(report.countsLine)", sourceLocation: sourceLocation)
            // The same bytes were loaded before: the report repeats that load's counts (not its kinds), nothing else to check.
            guard report.status == .loaded else { outcomes["alreadyLoaded", default: 0] += 1; return }
            #expect(report.rejectsByKind.values.reduce(0, +) == report.rowsRejected, "\(what)", sourceLocation: sourceLocation)
            rowsRead += report.rowsRead
            // Every rejected row is in the rejects file, and only those.
            let rejects = try parseRejects(rejectsPath)
            if report.rowsRejected > 0 {
                #expect(report.rejectsFile == rejectsPath, "\(what)", sourceLocation: sourceLocation)
                #expect(rejects.header == rejectsHeader, "\(what): rejects header \(rejects.header)", sourceLocation: sourceLocation)
            } else {
                #expect(report.rejectsFile == nil && rejects.rows.isEmpty, "\(what): a rejects file with nothing rejected",
                        sourceLocation: sourceLocation)
            }
            #expect(rejects.rows.count == report.rowsRejected,
                    "\(what): \(report.rowsRejected) rejected, \(rejects.rows.count) rows in the rejects file", sourceLocation: sourceLocation)
            let kinds = Set(RejectKind.allCases.map(\.rawValue))
            for row in rejects.rows {
                #expect(row.count == 6, "\(what): rejects row with \(row.count) fields", sourceLocation: sourceLocation)
                if row.count == 6 {
                    #expect(kinds.contains(row[3]), "\(what): unknown error kind \(row[3])", sourceLocation: sourceLocation)
                    #expect((Int(row[1]) ?? 0) >= 2, "\(what): line number \(row[1])", sourceLocation: sourceLocation)
                }
            }
            // Every loaded row is in the database.
            let load = SQLiteValue.integer(report.loadID)
            switch report.kind {
            case .claims:
                let lines = Int(try history.db.scalarInt("SELECT count(*) FROM claim_line WHERE load_id = ?", [load]) ?? 0)
                let voids = Int(try history.db.scalarInt("SELECT count(*) FROM claim_void WHERE load_id = ?", [load]) ?? 0)
                if voids == 0 {
                    #expect(lines == report.rowsLoaded, "\(what): \(report.rowsLoaded) loaded, \(lines) lines stored", sourceLocation: sourceLocation)
                    rowsLost += report.rowsRead - lines - rejects.rows.count
                } else {
                    #expect(lines + voids <= report.rowsLoaded, "\(what)", sourceLocation: sourceLocation)
                }
            case .eligibility:
                let spans = Int(try history.db.scalarInt("SELECT count(*) FROM eligibility_span WHERE load_id = ?", [load]) ?? 0)
                #expect(spans <= report.rowsLoaded && (report.rowsLoaded == 0) == (spans == 0), "\(what): \(report.rowsLoaded) loaded, \(spans) spans",
                        sourceLocation: sourceLocation)
            }
            let ledger = try LoadLedger(history.db).all().first { $0.loadID == report.loadID }
            #expect(ledger?.rowsRead == report.rowsRead && ledger?.rowsRejected == report.rowsRejected, "\(what)", sourceLocation: sourceLocation)
        }
    }

    @Test(.timeLimit(FuzzConfig.timeLimit))
    func seededHostileFilesNeverCrashOrLoseRows() throws {
        var rng = SplitMix64(seed: FuzzConfig.seed)
        let harness = try Harness()
        var labels: [String: Int] = [:]
        for _ in 0..<FuzzConfig.iterations {
            let input = Self.generate(&rng)
            labels[input.label, default: 0] += 1
            try harness.run(input)
        }
        print("[reliability] loader fuzz: \(FuzzConfig.iterations) inputs (seed \(FuzzConfig.seed)); by generator \(labels.sorted { $0.key < $1.key }); "
              + "outcomes \(harness.outcomes.sorted { $0.key < $1.key }); rows read \(harness.rowsRead), rows lost \(harness.rowsLost)")
        #expect(harness.rowsLost == 0)
        #expect(harness.outcomes["report", default: 0] > 0 && harness.outcomes["missingColumns", default: 0] > 0)
    }

    @Test func oversizedFieldsAndColumns() throws {
        let harness = try Harness()
        let header = Array(Self.validClaims.prefix { $0 != "\n" }.utf8)
        func row(claim: String = "C900", line: Int = 1, charge: [UInt8], tail: [UInt8] = []) -> [UInt8] {
            Array("\(claim),\(line),professional,M1,2024-03-01,,72148,".utf8) + charge + Array(",,M5450,,Acme".utf8) + tail + [10]
        }
        // A 10 MB field, kept whole.
        let big = [UInt8](repeating: UInt8(ascii: "9"), count: 10 << 20)
        try harness.run(FuzzInput(label: "10 MB field", bytes: header + [10] + row(charge: big) + row(line: 2, charge: [49]), kind: .claims))
        let stored = try harness.history.db.scalarInt("SELECT max(length(charge_amount)) FROM claim_line") ?? 0
        #expect(stored == 10 << 20, "the 10 MB field is kept whole")
        // A 2 MB quoted field with line breaks and escaped quotes, in an ignored column.
        let quoted = [34] + [UInt8](repeating: UInt8(ascii: "x"), count: 1 << 20) + Array("\n\"\"\n\n".utf8)
            + [UInt8](repeating: UInt8(ascii: "y"), count: 1 << 20) + [34]
        try harness.run(FuzzInput(label: "2 MB quoted field", bytes: header + Array(",notes\n".utf8) + row(charge: [53], tail: [44] + quoted),
                                  kind: .claims))
        // 10,000 columns: a header with 9,988 unknown ones, a row that has them all, and a ragged one.
        let extras = (0..<(10_000 - 12)).map { "extra_\($0)" }.joined(separator: ",")
        try harness.run(FuzzInput(label: "10,000 columns",
                                  bytes: header + Array(",\(extras)\n".utf8) + row(charge: [55], tail: Array(String(repeating: ",v", count: 9_988).utf8))
                                      + row(line: 2, charge: [56]),
                                  kind: .claims))
        // 10,000 fields in a row under a normal header: malformed.
        try harness.run(FuzzInput(label: "10,000 fields", bytes: header + [10] + row(charge: [54], tail: Array(String(repeating: ",z", count: 10_000).utf8)),
                                  kind: .claims))
        #expect(harness.outcomes["report"] == 4)
        #expect(harness.rowsLost == 0)
    }

    // MARK: The CSV reader alone

    @Test(.timeLimit(FuzzConfig.timeLimit))
    func readerTerminatesOnRandomBytes() throws {
        var rng = SplitMix64(seed: FuzzConfig.seed ^ 0xC5F)
        var records = 0, issues = 0
        for _ in 0..<(FuzzConfig.iterations * 2) {
            let bytes = rng.chance(0.3) ? rng.bytes(rng.int(0...2_000))
                : (0..<rng.int(0...2_000)).map { _ in rng.pick([34, 44, 10, 13, 0, 97, 124, 9, 0xEF, 0xBB, 0xBF, 0xFF] as [UInt8]) }
            let reader = CSVReader(source: MemorySource(bytes), delimiter: rng.chance(0.5) ? nil : rng.pick([44, 124, 9]),
                                   maxRecordBytes: rng.pick([64, 500, 64 << 20]), chunkBytes: rng.pick([64, 100, 4_096]))
            _ = try? reader.readHeader()
            var count = 0
            var lastLine = 0
            // Every record consumes at least one byte: more records than bytes means a loop.
            // (Plain checks in the loop: an #expect per record would dominate the run time.)
            while try reader.next() {
                count += 1
                if reader.issue != nil { issues += 1 }
                if reader.lineNumber < lastLine { Issue.record("line numbers go back: \(reader.lineNumber) after \(lastLine)"); break }
                lastLine = reader.lineNumber
                for index in 0..<reader.fieldCount { _ = reader.field(index).count; _ = reader.string(index) }
                if reader.rawRecord.count > bytes.count { Issue.record("a raw record longer than the input"); break }
                guard count <= bytes.count + 1 else { Issue.record("the reader does not advance"); break }
            }
            records += count
        }
        print("[reliability] CSV reader fuzz: \(FuzzConfig.iterations * 2) random inputs, \(records) records, \(issues) with issues")
    }

    @Test(.timeLimit(FuzzConfig.timeLimit))
    func readerRoundTripsQuotedFieldsAcrossChunkBoundaries() throws {
        var rng = SplitMix64(seed: FuzzConfig.seed ^ 0x707)
        let alphabet: [[UInt8]] = [[97], [98], [44], [124], [9], [34], [10], [13], [32], [0xC3, 0xA9], [0xFF], [0xE2, 0x82, 0xAC]]
        for _ in 0..<FuzzConfig.iterations {
            let delimiter = rng.pick([44, 124, 9] as [UInt8])
            var expected: [[[UInt8]]] = []
            var bytes: [UInt8] = []
            for _ in 0..<rng.int(1...20) {
                var record: [[UInt8]] = (0..<rng.int(1...6)).map { _ in (0..<rng.int(0...8)).flatMap { _ in rng.pick(alphabet) } }
                if record.count == 1 && record[0].isEmpty { record[0] = [97] }  // not a blank line
                expected.append(record)
                let fields = record.map { field -> [UInt8] in
                    let needsQuotes = field.contains { $0 == delimiter || $0 == 34 || $0 == 10 || $0 == 13 }
                        || (field.first.map { $0 == 32 || $0 == 9 } ?? false)
                    guard needsQuotes || rng.chance(0.1) else { return field }
                    return [34] + field.flatMap { $0 == 34 ? [34, 34] : [$0] } + [34]
                }
                bytes += fields.joined(separator: [delimiter]) + (rng.chance(0.5) ? [13, 10] : [10])
            }
            if rng.chance(0.3) { bytes.removeLast(bytes.last == 10 && bytes.dropLast().last == 13 ? 2 : 1) }  // no final line end
            let reader = CSVReader(source: MemorySource(bytes), delimiter: delimiter, chunkBytes: rng.pick([64, 65, 127, 1 << 20]))
            var got: [[[UInt8]]] = []
            var issues = 0
            while try reader.next() {
                if reader.issue != nil { issues += 1 }
                got.append((0..<reader.fieldCount).map { Array(reader.field($0)) })
            }
            #expect(issues == 0)
            #expect(got == expected, "delimiter \(delimiter): \(bytes)")
            if got != expected { break }
        }
    }
}
