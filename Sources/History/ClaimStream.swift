import SQLiteDB

#if canImport(Glibc)
import Glibc
#endif

/// Applies a claims file to the history as it is read, without a stage, when the rows of each claim
/// arrive together (as extracts and X12 files give them), by the rules `ClaimStore` applies to a
/// stage, with the same stored result.
///
/// Loaders hand over accepted rows in batches (`ClaimRows`, filled by a `ClaimRowBuffer`, which
/// also rejects a duplicate line), possibly read on another thread. A claim is judged when the
/// first row of the next claim (or the end of the file) arrives, and waits in a window of 64
/// judged claims, which are then written together: their ids into a TEMP table, one query for
/// which of them are stored already, then their rows, many per statement. A claim id that comes
/// back after another claim fails the ids' insert and throws `NotAdjacent`: the caller then rolls
/// the file's transaction back and loads the file through the stage (`ClaimStage`,
/// `ClaimStore.applyStage`). Only the window's rows are held in memory.
public final class ClaimStream {
    /// The file's claims are not adjacent: a claim id seen again after another claim.
    public struct NotAdjacent: Error {}

    private typealias Slot = RowValue
    private typealias C = ClaimStage.Column
    private static let width = ClaimRows.width

    private let db: Connection
    private let loadID: Int64
    private let store: ClaimStore
    private let crossReject, existing: Statement
    private let valueSets: ValueSetProbe
    /// The finished claim ids (`temp.claim_seen`) and the stored claims' rows, many per statement.
    private let seen, claims, diagnoses, lines: BatchInsert
    private let diagnosesOfOneClaim: Statement

    /// Claims judged and waiting to be written, at most `window` of them, then the rows of the
    /// claim being read: `width` slots per row over one text buffer.
    private static let window = 64
    @exclusivity(unchecked) private var slots: [Slot] = []
    @exclusivity(unchecked) private var bytes: [UInt8] = []
    @exclusivity(unchecked) private var rows = 0
    /// The first row of the claim being read.
    @exclusivity(unchecked) private var claimStart = 0
    @exclusivity(unchecked) private var judged: [Judged] = []
    /// The judged claims' rows in line order, each claim's a range of it.
    @exclusivity(unchecked) private var order: [Int] = []
    @exclusivity(unchecked) private var outcome = StageOutcome()

    /// A claim judged by the rules, waiting in the window.
    private struct Judged {
        /// Its rows in line order, as a range of `order`; the first is the header.
        let order: Range<Int>
        /// The header column its rows disagree on (the claim is rejected whole).
        let inconsistent: String?
        let void: Bool
        let diagnosesDiffer: Bool
    }

    /// Creates the TEMP tables of the pass (finished claim ids, rows of claims rejected whole).
    public init(db: Connection, loadID: Int64) throws {
        self.db = db
        self.loadID = loadID
        try db.execute("""
            DROP TABLE IF EXISTS temp.claim_seen;
            CREATE TEMP TABLE claim_seen(claim_id TEXT PRIMARY KEY, member_id TEXT, claim_type TEXT, start_day INTEGER,
                dx_type TEXT, from_day INTEGER, load_id INTEGER, dx_match INTEGER, line_match INTEGER) WITHOUT ROWID;
            DROP TABLE IF EXISTS temp.claim_cross_reject;
            CREATE TEMP TABLE claim_cross_reject(source_line INTEGER PRIMARY KEY, column_name TEXT, message TEXT);
            """)
        store = try ClaimStore(db: db, loadID: loadID)
        // Inserted a window at a time: a claim id already there fails the insert (NotAdjacent).
        seen = BatchInsert(db, """
            INSERT INTO claim_seen(claim_id, member_id, claim_type, start_day, dx_type, from_day, load_id,
                dx_match, line_match)
            """, columns: 9, rowsPerInsert: Self.window)
        existing = try db.prepare("SELECT claim_id FROM claim WHERE claim_id IN ("
                                  + Array(repeating: "?", count: Self.window).joined(separator: ", ") + ")")
        valueSets = try ValueSetProbe(db)
        claims = BatchInsert(db, """
            INSERT INTO claim(claim_id, claim_type, member_id, start_day, end_day, dx_code_type, frequency_code,
                payer, plan, data_source, file_name, file_date, load_id)
            """, columns: 13)
        diagnoses = BatchInsert(db, "INSERT INTO claim_diagnosis(claim_id, position, code)", columns: 3, rowsPerInsert: 64)
        lines = BatchInsert(db, """
            INSERT INTO claim_line(claim_id, line_number, service_day, line_start_day, hcpcs_code, hcpcs_modifier_1,
                hcpcs_modifier_2, hcpcs_modifier_3, hcpcs_modifier_4, hcpcs_modifier_5, revenue_center_code,
                bill_type_code, place_of_service_code, paid_amount, charge_amount, load_id, source_line)
            """, columns: 17)
        diagnosesOfOneClaim = try db.prepare("""
            INSERT INTO claim_diagnosis(claim_id, position, code)
            SELECT ?1, d.key + 1, d.value FROM json_each(?2) d WHERE d.value <> ''
            """)
        crossReject = try db.prepare("INSERT INTO claim_cross_reject(source_line, column_name, message) VALUES (?, ?, ?)")
    }

    // MARK: Taking rows

    /// Adds a batch of rows (in file order) to their claims, finishing a claim when a row of
    /// another claim follows it.
    ///
    /// - Throws: `NotAdjacent` when a row's claim id belongs to a claim finished before.
    public func append(_ batch: ClaimRows) throws {
        try batch.bytes.withUnsafeBufferPointer { text in
            for row in 0..<batch.count {
                let offset = row * ClaimRows.width
                if rows > claimStart {
                    let sameClaim = bytes.withUnsafeBufferPointer { current in
                        Self.equal(batch.values[offset], in: text, slot(claimStart, .claimID), in: current)
                    }
                    if !sameClaim { try endClaim() }
                }
                for value in batch.values[offset..<(offset + ClaimRows.width)] {
                    if case .text(let start, let count) = value {
                        slots.append(.text(start: Int32(bytes.count), count: count))
                        bytes.append(contentsOf: UnsafeBufferPointer(rebasing: text[Int(start)..<Int(start + count)]))
                    } else {
                        slots.append(value)
                    }
                }
                rows += 1
                outcome.stagedRows += 1
            }
        }
    }

    /// Finishes the last claim, inserts the rows still waiting, removes the stored claims' voids,
    /// records their members (set-based, from `temp.claim_seen`) and derives their events;
    /// `temp.claim_cross_reject` is left for `ClaimStage.forEachRejectedRow` (and dropped by
    /// `ClaimStage.drop`).
    public func finish() throws -> StageOutcome {
        if rows > claimStart { try endClaim() }
        try writeWindow()
        for batch in [claims, diagnoses, lines] { try batch.flush() }
        try db.execute("""
            DELETE FROM claim_void WHERE claim_id IN (SELECT claim_id FROM temp.claim_seen WHERE member_id IS NOT NULL);
            """)
        try db.run("""
            INSERT INTO member_change(load_id, member_id, from_day)
            SELECT ?1, member_id, min(from_day) FROM temp.claim_seen WHERE member_id IS NOT NULL GROUP BY member_id
            ON CONFLICT (load_id, member_id) DO UPDATE SET from_day = min(from_day, excluded.from_day)
            """, [.integer(loadID)])
        try DerivedEvents(db).derive(.streamed)
        try db.execute("DROP TABLE temp.claim_seen")
        return outcome
    }

    // MARK: Judging a claim

    private func slot(_ row: Int, _ column: C) -> Slot { slots[row * Self.width + Int(column.rawValue) - 1] }

    /// Judges the claim just read (its rows are `claimStart..<rows`) and adds it to the window;
    /// writes the window when it is full.
    private func endClaim() throws {
        try bytes.withUnsafeBufferPointer { try judgeClaim(text: $0) }
        claimStart = rows
        if judged.count == Self.window { try writeWindow() }
    }

    private func judgeClaim(text: UnsafeBufferPointer<UInt8>) throws {
        // Rows in line-number order: the lowest-numbered line is the header.
        let first = order.count
        order.append(contentsOf: claimStart..<rows)
        order[first...].sort { (Self.int(slot($0, .lineNumber)) ?? 0) < (Self.int(slot($1, .lineNumber)) ?? 0) }
        let claimOrder = order[first...]
        let header = order[first]
        func same(_ row: Int, _ column: C) -> Bool { Self.equal(slot(row, column), in: text, slot(header, column), in: text) }
        func isVoid(_ row: Int) -> Bool {
            guard case .text(let start, let count) = slot(row, .frequency) else { return false }
            return count == 1 && text[Int(start)] == UInt8(ascii: "8")
        }

        var inconsistent: String?
        var diagnosesDiffer = false
        var void = isVoid(header)
        for row in claimOrder.dropFirst() {
            if isVoid(row) { void = true }
            if inconsistent == nil {
                if !same(row, .claimType) { inconsistent = "claim_type" }
                else if !same(row, .memberID) { inconsistent = "member_id" }
                else if Self.int(slot(row, .startDay)) != Self.int(slot(header, .startDay)) { inconsistent = "claim_start_date" }
            }
            if !same(row, .diagnoses) || !same(row, .dxType) { diagnosesDiffer = true }
        }
        judged.append(Judged(order: first..<order.count, inconsistent: inconsistent, void: void, diagnosesDiffer: diagnosesDiffer))

        // Every claim id goes to `temp.claim_seen`; a stored claim's member, earliest day and
        // flags wait there for `finish()`.
        append(slot(header, .claimID), to: seen, text)
        guard inconsistent == nil && !void else {
            for _ in 0..<8 { seen.appendNull() }
            try insertingIDs { try seen.endRow() }
            return
        }
        var fromDay = Int64.max
        for row in claimOrder {
            if let day = Self.int(slot(row, .startDay)) { fromDay = min(fromDay, day) }
            if let day = Self.int(slot(row, .lineStartDay)) { fromDay = min(fromDay, day) }
        }
        for column in [C.memberID, .claimType, .startDay, .dxType] { append(slot(header, column), to: seen, text) }
        seen.append(fromDay)
        seen.append(loadID)
        // Flags that let the derived events skip the claims no value set can match.
        seen.append(try diagnosesMayMatch(header, text) ? 1 : 0)
        seen.append(try linesMayMatch(claimOrder, text) ? 1 : 0)
        try insertingIDs { try seen.endRow() }
    }

    /// Runs `body`, which may insert judged claims' ids: an id already in `temp.claim_seen` means
    /// the file's claims are not adjacent.
    private func insertingIDs(_ body: () throws -> Void) throws {
        do {
            try body()
        } catch let error as SQLiteError where error.isKeyViolation {
            throw NotAdjacent()
        }
    }

    // MARK: Writing the window

    /// Writes the judged claims: their ids first (a claim id seen earlier in the file throws
    /// `NotAdjacent`, and the caller rolls the whole file back), then which of them are stored
    /// already, with one statement each for the window; then each claim is rejected, voided,
    /// replaced or stored in file order.
    private func writeWindow() throws {
        guard !judged.isEmpty else { return }
        defer {
            judged.removeAll(keepingCapacity: true)
            order.removeAll(keepingCapacity: true)
            slots.removeAll(keepingCapacity: true)
            bytes.removeAll(keepingCapacity: true)
            rows = 0
            claimStart = 0
        }
        try insertingIDs { try seen.flush() }
        try bytes.withUnsafeBufferPointer { text in
            let stored = try storedClaims(text)
            for claim in judged { try write(claim, stored: stored, text) }
        }
    }

    /// The ids, among the window's claims that are not rejected, of those the history holds.
    private func storedClaims(_ text: UnsafeBufferPointer<UInt8>) throws -> Set<String> {
        var parameter: Int32 = 0
        for claim in judged where claim.inconsistent == nil {
            parameter += 1
            bind(existing, parameter, order[claim.order.lowerBound], .claimID, text)
        }
        defer { existing.reset() }
        var stored = Set<String>()
        while try existing.step() { stored.insert(existing.text(0)) }
        return stored
    }

    private func write(_ claim: Judged, stored: Set<String>, _ text: UnsafeBufferPointer<UInt8>) throws {
        let claimOrder = order[claim.order]
        let header = claimOrder.first!
        if let column = claim.inconsistent {
            for row in claimOrder {
                bind(crossReject, 1, row, .sourceLine, text)
                crossReject.bind(column, at: 2)
                crossReject.bind("the rows of this claim disagree on \(column)", at: 3)
                try crossReject.run()
            }
            outcome.rejectedRows += claimOrder.count
            return
        }
        if claim.diagnosesDiffer { outcome.warnings += 1 }
        // The claim's id when the history holds it, once its stored version is removed (most
        // windows hold no such claim: no id is turned into a String for them).
        var storedID: String?
        if !stored.isEmpty {
            let id = Self.string(slot(header, .claimID), in: text)
            if stored.contains(id), try store.remove(claimID: id) { storedID = id }
        }
        let existed = storedID != nil
        if claim.void {
            if let storedID {
                try store.recordVoid(claimID: storedID)
                outcome.claimsVoided += 1
            } else {
                outcome.voidsOfUnknownClaims += 1
            }
            outcome.voidRows += claimOrder.count
            return
        }
        if existed { outcome.claimsReplaced += 1 }
        outcome.claimsStored += 1
        outcome.linesStored += claimOrder.count
        try queueClaim(header, claimOrder, text)
    }

    // MARK: Value-set flags

    /// Whether an ICD-10-CM diagnosis of the claim may be in a value set (true when unsure).
    private func diagnosesMayMatch(_ header: Int, _ text: UnsafeBufferPointer<UInt8>) throws -> Bool {
        guard case .text(let typeStart, let typeCount) = slot(header, .dxType),
              Self.equal(text, typeStart, typeCount, "icd-10-cm"),
              case .text(let start, let count) = slot(header, .diagnoses) else { return false }
        // The reader's JSON array of strings: ["A10","",...]; an escaped string is left to SQLite.
        let json = UnsafeBufferPointer(rebasing: text[Int(start)..<Int(start + count)])
        var i = 1
        while i < json.count, json[i] == UInt8(ascii: "\"") {
            var end = i + 1
            while end < json.count, json[end] != UInt8(ascii: "\"") {
                if json[end] == UInt8(ascii: "\\") { return true }
                end += 1
            }
            if end > i + 1, try valueSets.contains(.diagnosis, UnsafeBufferPointer(rebasing: json[(i + 1)..<end])) { return true }
            i = end + 2
        }
        return false
    }

    /// Whether a line's procedure or revenue code of the claim may be in a value set.
    private func linesMayMatch(_ rows: ArraySlice<Int>, _ text: UnsafeBufferPointer<UInt8>) throws -> Bool {
        for row in rows {
            if case .text(let start, let count) = slot(row, .hcpcs),
               try valueSets.contains(.procedure, UnsafeBufferPointer(rebasing: text[Int(start)..<Int(start + count)])) { return true }
            if case .text(let start, let count) = slot(row, .revenue),
               try valueSets.contains(.revenue, UnsafeBufferPointer(rebasing: text[Int(start)..<Int(start + count)])) { return true }
        }
        return false
    }

    // MARK: Rows of a stored claim

    /// The parameters of one `claim` row, by column (`load_id` last, added).
    private static let claimColumns: [C] = [.claimID, .claimType, .memberID, .startDay, .endDay, .dxType, .frequency,
                                            .payer, .plan, .dataSource, .fileName, .fileDate]
    /// The parameters of one `claim_line` row, by column; the service day (third) is the line's
    /// start day or the claim's, `load_id` (sixteenth) is added.
    private static let lineColumns: [C] = [.claimID, .lineNumber, .lineStartDay, .hcpcs, .modifier1,
                                           .modifier2, .modifier3, .modifier4, .modifier5, .revenue, .billType,
                                           .placeOfService, .paid, .charge]

    /// Queues a claim's header, diagnoses and lines (`rows`, in line order).
    private func queueClaim(_ header: Int, _ rows: ArraySlice<Int>, _ text: UnsafeBufferPointer<UInt8>) throws {
        for column in Self.claimColumns { append(slot(header, column), to: claims, text) }
        claims.append(loadID)
        try claims.endRow()
        try queueDiagnoses(header, text)
        for row in rows {
            append(slot(row, .claimID), to: lines, text)
            append(slot(row, .lineNumber), to: lines, text)
            if case .int = slot(row, .lineStartDay) { append(slot(row, .lineStartDay), to: lines, text) }
            else { append(slot(row, .startDay), to: lines, text) }
            for column in Self.lineColumns.dropFirst(2) { append(slot(row, column), to: lines, text) }
            lines.append(loadID)
            append(slot(row, .sourceLine), to: lines, text)
            try lines.endRow()
        }
    }

    /// Queues the header's diagnoses (the reader's JSON array of strings, `["A10","",...]`) by
    /// position, empty ones left out; an array with an escaped string is unpacked by SQLite.
    private func queueDiagnoses(_ header: Int, _ text: UnsafeBufferPointer<UInt8>) throws {
        guard case .text(let start, let count) = slot(header, .diagnoses) else { return }
        let json = UnsafeBufferPointer(rebasing: text[Int(start)..<Int(start + count)])
        if json.contains(UInt8(ascii: "\\")) {
            bind(diagnosesOfOneClaim, 1, header, .claimID, text)
            bind(diagnosesOfOneClaim, 2, header, .diagnoses, text)
            try diagnosesOfOneClaim.run()
            return
        }
        var i = 1, position: Int64 = 0
        while i < json.count, json[i] == UInt8(ascii: "\"") {
            var end = i + 1
            while end < json.count, json[end] != UInt8(ascii: "\"") { end += 1 }
            position += 1
            if end > i + 1 {
                append(slot(header, .claimID), to: diagnoses, text)
                diagnoses.append(position)
                diagnoses.append(UnsafeBufferPointer(rebasing: json[(i + 1)..<end]))
                try diagnoses.endRow()
            }
            i = end + 2
        }
    }

    private func append(_ value: Slot, to batch: BatchInsert, _ text: UnsafeBufferPointer<UInt8>) {
        switch value {
        case .null: batch.appendNull()
        case .int(let v): batch.append(v)
        case .text(let start, let count): batch.append(UnsafeBufferPointer(rebasing: text[Int(start)..<Int(start + count)]))
        }
    }

    // MARK: Slots

    private func bind(_ statement: Statement, _ index: Int32, _ row: Int, _ column: C, _ text: UnsafeBufferPointer<UInt8>) {
        Self.bind(statement, index, slot(row, column), text)
    }

    private static func bind(_ statement: Statement, _ index: Int32, _ value: Slot, _ text: UnsafeBufferPointer<UInt8>) {
        switch value {
        case .null: statement.bindNull(at: index)
        case .int(let value): statement.bind(value, at: index)
        case .text(let start, let count):
            statement.bindTextNoCopy(UnsafeBufferPointer(rebasing: text[Int(start)..<Int(start + count)]), at: index)
        }
    }

    private static func equal(_ text: UnsafeBufferPointer<UInt8>, _ start: Int32, _ count: Int32, _ other: StaticString) -> Bool {
        Int(count) == other.utf8CodeUnitCount && memcmp(text.baseAddress! + Int(start), other.utf8Start, Int(count)) == 0
    }

    private static func int(_ slot: Slot) -> Int64? {
        if case .int(let value) = slot { return value }
        return nil
    }

    private static func string(_ slot: Slot, in text: UnsafeBufferPointer<UInt8>) -> String {
        guard case .text(let start, let count) = slot else { return "" }
        return String(decoding: UnsafeBufferPointer(rebasing: text[Int(start)..<Int(start + count)]), as: UTF8.self)
    }

    /// Whether two slots hold the same value (text compared byte for byte).
    private static func equal(_ a: Slot, in textA: UnsafeBufferPointer<UInt8>, _ b: Slot, in textB: UnsafeBufferPointer<UInt8>) -> Bool {
        switch (a, b) {
        case (.null, .null): return true
        case (.int(let x), .int(let y)): return x == y
        case (.text(let sa, let ca), .text(let sb, let cb)):
            return ca == cb && (ca == 0 || memcmp(textA.baseAddress! + Int(sa), textB.baseAddress! + Int(sb), Int(ca)) == 0)
        default: return false
        }
    }
}
