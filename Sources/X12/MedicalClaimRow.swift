import DelimitedText

/// The Tuva `medical_claim` columns an 837 claim fills, in the order of the records the X12
/// reader presents, and the builder of one row from a completed claim.
public enum MedicalClaimRow {
    /// The header of the records `X12ClaimReader` presents.
    public static let columns: [String] = [
        "claim_id", "claim_line_number", "claim_type", "member_id", "claim_start_date", "claim_end_date",
        "claim_line_start_date", "place_of_service_code", "bill_type_code", "revenue_center_code", "hcpcs_code",
        "hcpcs_modifier_1", "hcpcs_modifier_2", "hcpcs_modifier_3", "hcpcs_modifier_4", "charge_amount",
        "claim_frequency_code", "payer", "diagnosis_code_type",
    ] + (1...25).map { "diagnosis_code_\($0)" }

    static let firstDiagnosis = 19
}

/// The bytes of one row, laid out as a `Record` (one buffer, field bounds), reused row after row.
final class RowBuffer {
    private var bytes: UnsafeMutablePointer<UInt8>
    private var capacity = 1024
    private var used = 0
    private let starts: UnsafeMutablePointer<Int>
    private let ends: UnsafeMutablePointer<Int>
    private let inScratch: UnsafeMutablePointer<UInt8>
    private var field = 0
    let count = MedicalClaimRow.columns.count

    init() {
        bytes = .allocate(capacity: capacity)
        starts = .allocate(capacity: count)
        ends = .allocate(capacity: count)
        inScratch = .allocate(capacity: count)
        inScratch.initialize(repeating: 0, count: count)
        starts.initialize(repeating: 0, count: count)
        ends.initialize(repeating: 0, count: count)
    }

    deinit {
        bytes.deallocate()
        starts.deallocate()
        ends.deallocate()
        inScratch.deallocate()
    }

    var record: Record {
        Record(buffer: UnsafePointer(bytes), scratch: UnsafePointer(bytes), starts: UnsafePointer(starts),
               ends: UnsafePointer(ends), inScratch: UnsafePointer(inScratch), count: count)
    }

    /// Makes every field empty.
    func clear() {
        used = 0
        field = 0
        for i in 0..<count { starts[i] = 0; ends[i] = 0 }
    }

    /// Fills the row for line `index` of `claim` (which has no defect).
    func fill(from claim: ClaimBuffer, line index: Int) {
        used = 0
        field = 0
        let line = claim.lines[index]
        claim.arena.withUnsafeBufferPointer { arena in
            func value(_ span: Span) -> UnsafeBufferPointer<UInt8> {
                UnsafeBufferPointer(rebasing: arena[span.start..<(span.start + span.count)])
            }
            add(value(claim.claimID))
            add(value(line.number))
            switch claim.kind {
            case .professional:
                addText("professional")
                add(value(claim.member))
                var first = Int.max, last = Int.min
                for other in claim.lines {
                    if let day = other.first { first = min(first, day); last = max(last, other.last ?? day) }
                }
                addDate(first)
                addDate(last)
                addDate(line.first)
                add(value(line.placeOfService.isEmpty ? claim.facility : line.placeOfService))
                add(value(Span()))
            case .institutional:
                addText("institutional")
                add(value(claim.member))
                addDate(claim.statementFirst)
                addDate(claim.statementLast)
                addDate(line.first)
                add(value(Span()))
                // Type of bill: facility code and frequency (CLM05-1 + CLM05-3), e.g. 13 + 1 = 131.
                add(value(claim.facility), then: value(claim.frequency))
            }
            add(value(line.revenue))
            add(value(line.procedure))
            for modifier in line.modifiers { add(value(modifier)) }
            add(value(line.charge))
            add(value(claim.frequency))
            add(value(claim.payer))
            addText(claim.icd9 ? "icd-9-cm" : "icd-10-cm")
            for dx in claim.diagnoses { add(value(dx)) }
        }
        while field < count { starts[field] = used; ends[field] = used; field += 1 }
    }

    /// Appends a `CCYYMMDD` date, or an empty field.
    private func addDate(_ value: Int?) {
        guard let value else { return add(UnsafeBufferPointer(start: nil, count: 0)) }
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) = (0, 0, 0, 0, 0, 0, 0, 0)
        withUnsafeMutableBytes(of: &digits) { out in
            var v = value
            for i in stride(from: 7, through: 0, by: -1) { out[i] = UInt8(48 + v % 10); v /= 10 }
        }
        withUnsafeBytes(of: &digits) { add($0.bindMemory(to: UInt8.self)) }
    }

    private func addText(_ text: StaticString) {
        add(UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    /// Appends one field made of two values side by side.
    private func add(_ value: UnsafeBufferPointer<UInt8>, then second: UnsafeBufferPointer<UInt8>) {
        add(value)
        add(second)
        field -= 2
        ends[field] = ends[field + 1]
        field += 1
    }

    /// Appends the next field's bytes.
    private func add(_ value: UnsafeBufferPointer<UInt8>) {
        if used + value.count > capacity {
            var grown = capacity * 2
            while grown < used + value.count { grown *= 2 }
            let new = UnsafeMutablePointer<UInt8>.allocate(capacity: grown)
            new.update(from: bytes, count: used)
            bytes.deallocate()
            bytes = new
            capacity = grown
        }
        if let base = value.baseAddress, value.count > 0 { (bytes + used).update(from: base, count: value.count) }
        starts[field] = used
        used += value.count
        ends[field] = used
        field += 1
    }
}
