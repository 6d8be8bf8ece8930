import Foundation
import History
import SQLiteDB

/// Validates claim rows and stages the accepted ones in `temp.claim_stage`, keyed by
/// (claim_id, line_number): the later of two rows with the same key is rejected as a duplicate.
///
/// Row checks follow INPUT.md: required values present, real dates, a positive integer line
/// number, a known claim type, UTF-8 text. Diagnosis codes are normalised (upper case, no dots)
/// and kept in one column as a JSON array by position, for the claim-level pass.
struct ClaimRowReader {
    static let diagnosisColumns = (1...25).map { "diagnosis_code_\($0)" }

    let context: LoadContext

    private struct Columns {
        let claimID: Int, lineNumber: Int, claimType: Int, member: Int, memberName: String, startDate: Int
        let endDate: Int?, lineStartDate: Int?, hcpcs: Int?, revenue: Int?, dxType: Int?, frequency: Int?
        let diagnoses: [Int?]
        /// Stage column → file column, for text kept as is: modifiers, bill type, place of service...
        let plainText: [(stage: Int32, file: Int, name: String)]
    }

    /// Reads every row; returns the number of rows read.
    func run() throws -> Int {
        let columns = resolveColumns()
        let insert = try ClaimStage.insert(context.db)
        var scratch = RowScratch()
        return try context.forEachRow {
            do {
                try bindRow(insert, columns: columns, scratch: &scratch)
            } catch {
                insert.reset()
                throw error
            }
            try insert.run()
            if context.db.changes == 0 { throw RowProblem.duplicateLine }
        }
    }

    /// Reads every row into `stream` (a file whose claims are adjacent); returns the number of
    /// rows read. Throws `ClaimStream.NotAdjacent` when a claim's rows are not together.
    ///
    /// Rows go to `stream` in batches of `batchRows` (`ClaimRowBuffer`). With `parallel`, the file
    /// is read, checked and batched on a second thread, through a bounded `HandOff`, while this
    /// thread writes the claims: rejects and line numbers stay in file order, since one thread
    /// reads the whole file.
    func run(into stream: ClaimStream, parallel: Bool, batchRows: Int) throws -> Int {
        let columns = resolveColumns()
        guard parallel else {
            let buffer = ClaimRowBuffer(batchSize: batchRows)
            let rows = try read(into: buffer, columns: columns) { try stream.append($0) }
            try stream.append(buffer.take())
            return rows
        }
        let reading = ParallelRead(reader: self, columns: columns, batchRows: batchRows)
        let thread = Thread { reading.run() }
        thread.name = "lbp-read"
        thread.start()
        do {
            while let batch = try reading.handOff.next() { try stream.append(batch) }
        } catch {
            reading.handOff.cancel()
            reading.handOff.waitUntilFinished()
            throw error
        }
        return reading.rows
    }

    /// The reading thread's side of `run(into:parallel:)`. Its state is touched by that thread
    /// only until it finishes the hand-off, which the writing thread waits for before reading `rows`.
    private final class ParallelRead: @unchecked Sendable {
        let reader: ClaimRowReader
        let columns: Columns
        let batchRows: Int
        let handOff = HandOff<ClaimRows>(capacity: 4)
        private(set) var rows = 0

        init(reader: ClaimRowReader, columns: Columns, batchRows: Int) {
            self.reader = reader
            self.columns = columns
            self.batchRows = batchRows
        }

        func run() {
            do {
                let buffer = ClaimRowBuffer(batchSize: batchRows)
                rows = try reader.read(into: buffer, columns: columns) { try handOff.put($0) }
                try handOff.put(buffer.take())
                handOff.finish()
            } catch {
                handOff.finish(throwing: error)
            }
        }
    }

    /// Reads every row into `buffer`, passing each full batch to `batch`; returns the rows read.
    private func read(into buffer: ClaimRowBuffer, columns: Columns, batch: (ClaimRows) throws -> Void) throws -> Int {
        var scratch = RowScratch()
        return try context.forEachRow {
            buffer.beginRow()
            do {
                try bindRow(buffer, columns: columns, scratch: &scratch)
            } catch {
                buffer.abandonRow()
                throw error
            }
            guard buffer.commitRow() else { throw RowProblem.duplicateLine }
            if buffer.isFull { try batch(buffer.take()) }
        }
    }

    private func resolveColumns() -> Columns {
        let map = context.columns
        let plain: [(ClaimStage.Column, String)] = [
            (.modifier1, "hcpcs_modifier_1"), (.modifier2, "hcpcs_modifier_2"), (.modifier3, "hcpcs_modifier_3"),
            (.modifier4, "hcpcs_modifier_4"), (.modifier5, "hcpcs_modifier_5"), (.billType, "bill_type_code"),
            (.placeOfService, "place_of_service_code"), (.payer, "payer"), (.plan, "plan"), (.paid, "paid_amount"),
            (.charge, "charge_amount"), (.dataSource, "data_source"), (.fileName, "file_name"), (.fileDate, "file_date"),
        ]
        return Columns(
            claimID: map["claim_id"]!, lineNumber: map["claim_line_number"]!, claimType: map["claim_type"]!,
            member: map["member_id"]!, memberName: map["member_id"] == map["person_id"] ? "person_id" : "member_id",
            startDate: map["claim_start_date"]!, endDate: map["claim_end_date"], lineStartDate: map["claim_line_start_date"],
            hcpcs: map["hcpcs_code"], revenue: map["revenue_center_code"], dxType: map["diagnosis_code_type"],
            frequency: map["claim_frequency_code"], diagnoses: Self.diagnosisColumns.map { map[$0] },
            plainText: plain.compactMap { stage, name in map[name].map { (stage.rawValue, $0, name) } })
    }

    /// Buffers reused from row to row.
    struct RowScratch {
        var dx: [UInt8] = []
        var code: [UInt8] = []
        init() {
            dx.reserveCapacity(256)
            code.reserveCapacity(16)
        }
    }

    /// Binds one row; parameters left unbound are NULL (every reset clears the bindings).
    private func bindRow<Binder: ClaimRowBinder>(_ statement: Binder, columns c: Columns, scratch: inout RowScratch) throws {
        let reader = context.reader
        let record = reader.record
        func text(_ column: Int, _ name: String) throws -> UnsafeBufferPointer<UInt8> {
            let value = Field.trimmed(record.field(column))
            guard Field.isUTF8(value) else { throw RowProblem.notUTF8(name) }
            return value
        }
        func required(_ column: Int, _ name: String) throws -> UnsafeBufferPointer<UInt8> {
            let value = try text(column, name)
            guard !value.isEmpty else { throw RowProblem.empty(name) }
            return value
        }
        func optionalDate(_ column: Int?, _ name: String) throws -> Day? {
            guard let column else { return nil }
            let value = Field.trimmed(record.field(column))
            if value.isEmpty { return nil }
            guard let day = Day.parse(value) else { throw RowProblem.badDate(name) }
            return day
        }

        let claimID = try required(c.claimID, "claim_id")
        let lineText = try required(c.lineNumber, "claim_line_number")
        guard let lineNumber = Field.positiveInteger(lineText) else {
            throw RowProblem(column: "claim_line_number", kind: .badInteger,
                             message: "claim_line_number must be a whole number greater than 0")
        }
        let typeText = try required(c.claimType, "claim_type")
        let claimType: String
        if Field.equalsIgnoringCase(typeText, "professional") { claimType = "professional" }
        else if Field.equalsIgnoringCase(typeText, "institutional") { claimType = "institutional" }
        else if Field.equalsIgnoringCase(typeText, "undetermined") { claimType = "undetermined" }
        else {
            throw RowProblem(column: "claim_type", kind: .badValue,
                             message: "claim_type must be professional, institutional or undetermined")
        }
        let member = try required(c.member, c.memberName)
        let startText = try required(c.startDate, "claim_start_date")
        guard let startDay = Day.parse(startText) else { throw RowProblem.badDate("claim_start_date") }
        let endDay = try optionalDate(c.endDate, "claim_end_date")
        let lineStartDay = try optionalDate(c.lineStartDate, "claim_line_start_date")

        // Diagnoses, normalised, as a JSON array by position (empty positions kept as "", trailing
        // ones dropped): the claim-level pass unpacks it with json_each.
        scratch.dx.removeAll(keepingCapacity: true)
        scratch.dx.append(UInt8(ascii: "["))
        var lastFilled = 0
        for (offset, column) in c.diagnoses.enumerated() {
            if offset > 0 { scratch.dx.append(UInt8(ascii: ",")) }
            scratch.dx.append(UInt8(ascii: "\""))
            let before = scratch.dx.count
            if let column { Field.appendNormalizedCodeAsJSON(try text(column, Self.diagnosisColumns[offset]), to: &scratch.dx) }
            let filled = scratch.dx.count > before
            scratch.dx.append(UInt8(ascii: "\""))
            if filled { lastFilled = scratch.dx.count } else if offset == 0 { throw RowProblem.empty("diagnosis_code_1") }
        }
        scratch.dx.removeSubrange(lastFilled...)
        scratch.dx.append(UInt8(ascii: "]"))

        statement.bindTextNoCopy(claimID, at: ClaimStage.Column.claimID.rawValue)
        statement.bind(lineNumber, at: ClaimStage.Column.lineNumber.rawValue)
        statement.bind(reader.lineNumber, at: ClaimStage.Column.sourceLine.rawValue)
        statement.bind(claimType, at: ClaimStage.Column.claimType.rawValue)
        statement.bindTextNoCopy(member, at: ClaimStage.Column.memberID.rawValue)
        statement.bind(Int64(startDay.number), at: ClaimStage.Column.startDay.rawValue)
        statement.bind(endDay?.number, at: ClaimStage.Column.endDay.rawValue)
        statement.bind(lineStartDay?.number, at: ClaimStage.Column.lineStartDay.rawValue)

        if let column = c.hcpcs {
            let value = try text(column, "hcpcs_code")
            scratch.code.removeAll(keepingCapacity: true)
            Field.appendNormalizedCode(value, to: &scratch.code)
            if !scratch.code.isEmpty {
                scratch.code.withUnsafeBufferPointer { statement.bindText($0, at: ClaimStage.Column.hcpcs.rawValue) }
            }
        }
        if let column = c.revenue {
            let value = try text(column, "revenue_center_code")
            if !value.isEmpty { statement.bindTextNoCopy(value, at: ClaimStage.Column.revenue.rawValue) }
        }
        for (stage, file, name) in c.plainText {
            let value = try text(file, name)
            if !value.isEmpty { statement.bindTextNoCopy(value, at: stage) }
        }
        var dxType = "icd-10-cm"
        if let column = c.dxType, Field.equalsIgnoringCase(Field.trimmed(record.field(column)), "icd-9-cm") { dxType = "icd-9-cm" }
        statement.bind(dxType, at: ClaimStage.Column.dxType.rawValue)
        scratch.dx.withUnsafeBufferPointer { statement.bindText($0, at: ClaimStage.Column.diagnoses.rawValue) }
        if let column = c.frequency {
            let value = try text(column, "claim_frequency_code")
            if !value.isEmpty { statement.bindTextNoCopy(value, at: ClaimStage.Column.frequency.rawValue) }
        }
    }
}
