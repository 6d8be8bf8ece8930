import DelimitedText
import Foundation
import History
import Ingest
import SQLiteDB
import Testing
import TestSupport

/// Every row of every table (and the schema), as text: equal digests mean an unchanged database.
func databaseDigest(_ db: Connection) throws -> [String: [String]] {
    var tables: [String] = []
    var digest: [String: [String]] = [:]
    var schema: [String] = []
    try db.forEach("SELECT type, name, coalesce(sql, '') FROM sqlite_schema ORDER BY name") { row in
        schema.append("\(row.text(0)) \(row.text(1)) \(row.text(2))")
        if row.text(0) == "table" { tables.append(row.text(1)) }
    }
    digest["sqlite_schema"] = schema
    for table in tables {
        digest[table] = try rows(db, "SELECT * FROM \"\(table)\"").map { $0.map(describe).joined(separator: "|") }.sorted()
    }
    return digest
}

private func describe(_ value: SQLiteValue) -> String {
    switch value {
    case .null: "NULL"
    case .integer(let v): "i\(v)"
    case .real(let v): "r\(v)"
    case .text(let v): "t'\(v)'"
    }
}

/// Every row of a query, values boxed, in the query's order.
func rows(_ db: Connection, _ sql: String, _ values: [SQLiteValue] = []) throws -> [[SQLiteValue]] {
    var result: [[SQLiteValue]] = []
    try db.forEach(sql, values) { row in result.append((0..<row.columnCount).map { row.value($0) }) }
    return result
}

func day(_ iso: String) -> SQLiteValue { .integer(Int64(Day(iso: iso)!.number)) }

/// Checks the invariant of every load: read = loaded + rejected, in the report and the ledger.
func expectCountsAddUp(_ report: LoadReport, _ db: Connection, sourceLocation: SourceLocation = #_sourceLocation) throws {
    #expect(report.rowsRead == report.rowsLoaded + report.rowsRejected, sourceLocation: sourceLocation)
    #expect(report.rejectsByKind.values.reduce(0, +) == report.rowsRejected, sourceLocation: sourceLocation)
    let ledger = try LoadLedger(db).all().first { $0.loadID == report.loadID }
    #expect(ledger?.rowsRead == report.rowsRead, sourceLocation: sourceLocation)
    #expect(ledger?.rowsLoaded == report.rowsLoaded, sourceLocation: sourceLocation)
    #expect(ledger?.rowsRejected == report.rowsRejected, sourceLocation: sourceLocation)
    #expect(report.countsLine == "read \(report.rowsRead), loaded \(report.rowsLoaded), rejected \(report.rowsRejected)",
            sourceLocation: sourceLocation)
}

/// (read, loaded, rejected) of a load.
func counts(_ report: LoadReport) -> [Int] { [report.rowsRead, report.rowsLoaded, report.rowsRejected] }

/// One row of a rejects file.
struct RejectRow: Equatable, CustomStringConvertible {
    var sourceFile: String
    var line: Int
    var column: String
    var kind: String
    var message: String
    var raw: String

    var description: String { "\(line) \(column) \(kind) \(raw.debugDescription)" }
}

/// Parses a rejects file back with the CSV reader.
func readRejects(_ path: String) throws -> [RejectRow] {
    let reader = CSVReader(source: try FileSource(path: path), delimiter: UInt8(ascii: ","))
    let header = try reader.readHeader()
    #expect(header == ["source_file", "line_number", "column", "error_kind", "message", "raw_line"])
    var result: [RejectRow] = []
    while try reader.next() {
        // A raw line is copied byte for byte, so a row rejected for its NUL byte keeps it.
        #expect(reader.issue == nil || reader.issue == .nulByte)
        #expect(reader.fieldCount == 6)
        guard reader.fieldCount == 6 else { continue }
        result.append(RejectRow(sourceFile: reader.string(0), line: Int(reader.string(1)) ?? -1, column: reader.string(2),
                                kind: reader.string(3), message: reader.string(4), raw: reader.string(5)))
    }
    return result
}

/// The rejects of a load: (line, column, kind), in file order.
func rejectSummary(_ report: LoadReport) throws -> [String] {
    guard let path = report.rejectsFile else { return [] }
    return try readRejects(path).sorted { $0.line < $1.line }.map { "\($0.line) \($0.column) \($0.kind)" }
}

/// Compresses bytes with `/usr/bin/gzip`.
func gzipped(_ text: String, in directory: TemporaryDirectory) throws -> [UInt8] {
    let input = directory.write("to-compress-\(UUID().uuidString)", text)
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/gzip")
    process.arguments = ["-c", "-n", input]
    let out = Pipe()
    process.standardOutput = out
    try process.run()
    let data = out.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    try FileManager.default.removeItem(atPath: input)
    #expect(process.terminationStatus == 0)
    return Array(data)
}

/// Loads a file already on disk with the test history's options.
func loadFile(_ history: TestHistory, path: String, kind: ExtractKind, delimiter: UInt8? = nil) throws -> LoadReport {
    let loader = ExtractLoader(db: history.db, options: .init(delimiter: delimiter, rejectsDirectory: history.directory.path,
                                                               clock: history.clock))
    return try loader.load(path: path, kind: kind)
}
