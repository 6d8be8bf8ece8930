import History
import Ingest
import SQLiteDB
import Testing
import TestSupport

/// A claims file whose claims are adjacent is loaded claim by claim as it is read (`ClaimStream`);
/// one whose claims are not is loaded through the stage. Both must store exactly what the stage
/// path stores: every table, the reports and the rejects files.
@Suite struct AdjacentClaimsTests {
    /// Files that exercise every claim rule: replacement, void of a stored and of an unknown claim,
    /// un-voiding, a header disagreement, a duplicate line, diagnoses that differ, lines out of
    /// order, bad rows, value-set codes (diagnosis, procedure, revenue) and an escaped code.
    static let files: [String] = [
        ClaimRow.csv([
            .init(claim: "C1", line: 1, member: "M1", start: "2024-03-01", hcpcs: "72148", dx: ["M5450"]),
            .init(claim: "C1", line: 2, member: "M1", start: "2024-03-01", hcpcs: "99213", dx: ["M5450"], revenue: "0350"),
            .init(claim: "C2", line: 1, member: "M2", start: "2024-03-02", dx: ["Z0000", "", "M5450"]),
            .init(claim: "C3", line: 1, member: "M3", start: "2024-03-03", hcpcs: "72131", dx: ["M5450"]),
            .init(claim: "C4", line: 1, member: "M4", start: "2024-03-04", dx: ["M5450"]),
            .init(claim: "C5", line: 1, member: "M5", start: "2024-03-05", dx: ["M5450"], frequency: "8"),
        ]),
        ClaimRow.csv([
            .init(claim: "C1", line: 2, member: "M1", start: "2024-03-01", lineStart: "2024-02-20", hcpcs: "72148",
                  dx: ["M5450", "C50911"], frequency: "7", charge: "12.50"),
            .init(claim: "C1", line: 1, member: "M1", start: "2024-03-01", dx: ["Z0000"], frequency: "7"),
            .init(claim: "C2", line: 1, member: "M2", start: "2024-03-02", dx: ["M5450"]),
            .init(claim: "C2", line: 1, member: "M2", start: "2024-03-02", dx: ["M5450"]),
            .init(claim: "C3", line: 1, member: "M3", start: "2024-03-03", dx: ["M5450"], frequency: "8"),
            .init(claim: "C4", line: 1, member: "M4", start: "2024-03-04", dx: ["M5450"]),
            .init(claim: "C4", line: 2, member: "M9", start: "2024-03-04", dx: ["M5450"]),
            .init(claim: "C7", line: 1, member: "M7", start: "2024-02-30", dx: ["M5450"]),
            .init(claim: "C8", line: 1, type: "institutional", member: "M8", start: "2024-03-08", dx: ["M5450"], revenue: "0350"),
            .init(claim: "C9", line: 1, member: "M9", start: "2024-03-09", dx: ["M5450"], frequency: "8"),
        ]) + "C10,1,professional,M10,2024-03-10,,,,,,\"M54\"\"50\",M5450,,,\n",
        ClaimRow.csv([
            .init(claim: "C3", line: 1, member: "M3", start: "2024-03-03", hcpcs: "72131", dx: ["M5450"]),
            .init(claim: "C6", line: 3, member: "M6", start: "2024-04-01", dx: ["M5450"]),
            .init(claim: "C6", line: 1, member: "M6", start: "2024-04-01", lineStart: "2024-03-28", dx: ["M5450"]),
        ]),
    ]

    /// Loads `files` into a new history; returns it with its reports and rejects files.
    private func load(_ files: [String], staged: Bool, reading: Reading = .parallel(batchRows: 512))
        throws -> (TestHistory, [LoadReport], [String?]) {
        let history = try TestHistory()
        history.stagedClaims = staged
        reading.configure(history)
        var reports: [LoadReport] = []
        var rejects: [String?] = []
        for (index, text) in files.enumerated() {
            let name = "claims_\(index + 1).csv"
            reports.append(try history.load(text, kind: .claims, name: name))
            #expect(history.lastLoadWasStaged == staged)
            rejects.append(history.directory.read(name + ".rejects.csv"))
        }
        return (history, reports, rejects)
    }

    /// The parts of a report that do not name the file's place.
    private func summary(_ report: LoadReport) -> [Int] {
        [report.rowsRead, report.rowsLoaded, report.rowsRejected, report.warnings, report.claimsStored, report.claimsReplaced,
         report.claimsVoided, report.voidsOfUnknownClaims]
    }

    /// How a streamed file is read: on a second thread or not, and how many rows per batch (1 and
    /// 2 put claims across batches).
    enum Reading: CustomTestStringConvertible, CaseIterable {
        case parallel(batchRows: Int), sameThread(batchRows: Int)

        static let allCases: [Reading] = [1, 2, 3, 512].flatMap { [.parallel(batchRows: $0), .sameThread(batchRows: $0)] }

        func configure(_ history: TestHistory) {
            switch self {
            case .parallel(let rows): history.parallelRead = true; history.readBatchRows = rows
            case .sameThread(let rows): history.parallelRead = false; history.readBatchRows = rows
            }
        }

        var testDescription: String {
            switch self {
            case .parallel(let rows): "read on a second thread, \(rows) rows per batch"
            case .sameThread(let rows): "read on the same thread, \(rows) rows per batch"
            }
        }
    }

    @Test(arguments: Reading.allCases)
    func adjacentClaimsStoreWhatTheStageStores(reading: Reading) throws {
        let (streamed, streamedReports, streamedRejects) = try load(Self.files, staged: false, reading: reading)
        let (staged, stagedReports, stagedRejects) = try load(Self.files, staged: true)
        #expect(try databaseDigest(streamed.db) == databaseDigest(staged.db))
        #expect(streamedReports.map(summary) == stagedReports.map(summary))
        #expect(streamedReports.map(\.rejectsByKind) == stagedReports.map(\.rejectsByKind))
        #expect(streamedRejects.map { $0?.replacingOccurrences(of: streamed.directory.path, with: "") }
                == stagedRejects.map { $0?.replacingOccurrences(of: staged.directory.path, with: "") })
        // The files did exercise the rules.
        #expect(summary(streamedReports[1]) == [11, 7, 4, 1, 4, 2, 1, 1])
        #expect(try rows(streamed.db, "SELECT count(*) FROM dx_event") != [[0]])
        #expect(try rows(streamed.db, "SELECT count(*) FROM line_category") != [[0]])
    }

    /// 150 claims per file: claims are judged and written 64 at a time, so replacements, voids,
    /// rejected claims and duplicates fall on both sides of those windows.
    static let manyClaims: [String] = {
        func claims(_ range: ClosedRange<Int>, _ row: (Int) -> [ClaimRow]) -> String { ClaimRow.csv(range.flatMap(row)) }
        let first = claims(1...150) { n in
            (1...(n % 3 + 1)).map { line in
                .init(claim: "K\(n)", line: line, member: "M\(n % 40)", start: "2024-01-\(String(format: "%02d", n % 28 + 1))",
                      hcpcs: n % 7 == 0 ? "72148" : "99213", dx: [n % 5 == 0 ? "M5450" : "Z0000"])
            }
        }
        let second = claims(60...209) { n in
            var rows: [ClaimRow] = (1...(n % 2 + 1)).map { line in
                .init(claim: "K\(n)", line: line, member: "M\(n % 40)", start: "2024-02-\(String(format: "%02d", n % 28 + 1))",
                      hcpcs: n % 4 == 0 ? "72131" : "99214", dx: [n % 3 == 0 ? "M5450" : "Z0000"],
                      frequency: n % 11 == 0 ? "8" : (n <= 150 ? "7" : "1"))
            }
            if n % 13 == 0 { rows.append(rows[0]) }  // a duplicate line
            if n % 17 == 0 { rows.append(.init(claim: "K\(n)", line: 9, member: "M99", start: "2024-02-01", dx: ["M5450"])) }
            return rows
        }
        return [first, second]
    }()

    @Test(arguments: Reading.allCases)
    func claimsAcrossWindowsStoreWhatTheStageStores(reading: Reading) throws {
        let (streamed, streamedReports, streamedRejects) = try load(Self.manyClaims, staged: false, reading: reading)
        let (staged, stagedReports, stagedRejects) = try load(Self.manyClaims, staged: true)
        #expect(try databaseDigest(streamed.db) == databaseDigest(staged.db))
        #expect(streamedReports.map(summary) == stagedReports.map(summary))
        #expect(streamedRejects.map { $0?.replacingOccurrences(of: streamed.directory.path, with: "") }
                == stagedRejects.map { $0?.replacingOccurrences(of: staged.directory.path, with: "") })
        let second = streamedReports[1]
        #expect(second.claimsReplaced > 50 && second.claimsVoided > 5 && second.rowsRejected > 10)
    }

    /// A claim id coming back as the `position`th claim of the file, after its window or several
    /// windows later (claims are judged 64 at a time; 64 and 128 close a window).
    @Test(arguments: [3, 64, 65, 128, 151])
    func aClaimComingBackLaterIsLoadedThroughTheStage(position: Int) throws {
        var rows = (1..<position).map { ClaimRow(claim: "K\($0)", member: "M\($0)", start: "2024-03-01", dx: ["M5450"]) }
        rows.insert(ClaimRow(claim: "K1", line: 2, member: "M1", start: "2024-03-01", dx: ["M5450"]), at: position - 1)
        rows += (position..<(position + 10)).map { ClaimRow(claim: "K\($0)", member: "M\($0)", start: "2024-03-01", dx: ["M5450"]) }
        let history = try TestHistory()
        let report = try history.load(ClaimRow.csv(rows), kind: .claims, name: "late.csv")
        #expect(history.lastLoadWasStaged)
        #expect(summary(report) == [rows.count, rows.count, 0, 0, rows.count - 1, 0, 0, 0])
    }

    @Test(arguments: Reading.allCases)
    func claimsThatAreNotAdjacentAreLoadedThroughTheStage(reading: Reading) throws {
        // C1's rows are apart, after a duplicate and a bad row, so the first attempt has rejects to forget.
        let file = ClaimRow.csv([
            .init(claim: "C1", line: 1, member: "M1", start: "2024-03-01", hcpcs: "72148", dx: ["M5450"]),
            .init(claim: "C1", line: 1, member: "M1", start: "2024-03-01", dx: ["M5450"]),
            .init(claim: "C2", line: 1, member: "M2", start: "2024-03-32", dx: ["M5450"]),
            .init(claim: "C2", line: 2, member: "M2", start: "2024-03-02", dx: ["M5450"]),
            .init(claim: "C1", line: 2, member: "M1", start: "2024-03-01", dx: ["Z0000"]),
        ])
        let history = try TestHistory()
        reading.configure(history)
        let report = try history.load(file, kind: .claims, name: "apart.csv")
        #expect(history.lastLoadWasStaged)
        try expectCountsAddUp(report, history.db)
        #expect(summary(report) == [5, 3, 2, 1, 2, 0, 0, 0])
        let rejects = history.directory.read("apart.csv.rejects.csv") ?? ""
        #expect(rejects.split(separator: "\n").count == 3)  // header + the two rejected rows, once each

        let (staged, _, _) = try load([file], staged: true)
        #expect(try databaseDigest(history.db).filter { $0.key != "load_ledger" }
                == databaseDigest(staged.db).filter { $0.key != "load_ledger" })
    }
}
