/// Turns the body segments of 837P and 837I transaction sets into claims.
///
/// It follows the loops a claim's values come from: the subscriber (2000B HL level 22, whose
/// NM1*IL gives the member and NM1*PR the payer; a patient HL 23 under it keeps that member, as
/// 5010 has no patient id), the claim (2300: CLM, DTP*434, HI) and its service lines (2400: LX,
/// SV1 or SV2, DTP*472). NM1*IL and NM1*PR of other subscribers (2330A/B, after a 2320 SBR) are
/// not the member. A claim ends at the next CLM, HL or SE.
final class ClaimAssembler {
    private enum Loop { case header, billingProvider, subscriber, patient, claim, otherSubscriber, line }

    private var loop = Loop.header
    private var kind = ClaimKind.professional
    private var member: [UInt8]?
    private var payer: [UInt8] = []
    /// A problem in the subscriber's own segments (too long, NUL): every claim under it fails.
    private var subscriberDefect: ClaimDefect?
    private var current: ClaimBuffer
    private var isOpen = false
    /// The claim completed last, read by the row builder until the next one completes.
    private(set) var completed: ClaimBuffer

    init(maxClaimBytes: Int) {
        current = ClaimBuffer(maxBytes: maxClaimBytes)
        completed = ClaimBuffer(maxBytes: maxClaimBytes)
    }

    /// A new 837 transaction set begins.
    func startTransaction(_ kind: ClaimKind) {
        self.kind = kind
        loop = .header
        member = nil
        payer = []
        subscriberDefect = nil
    }

    /// The transaction set ends; returns whether that completed a claim.
    func endTransaction() -> Bool {
        let done = close()
        loop = .header
        return done
    }

    /// Takes one body segment; returns whether it completed a claim (now in `completed`).
    func process(_ s: Segment, number: Int, raw: UnsafeBufferPointer<UInt8>, oversized: Bool, hasNUL: Bool) -> Bool {
        let id = s[0]
        if Segment.equals(id, "HL") {
            let done = close()
            if s.element(3, is: "20") {
                loop = .billingProvider
                member = nil; payer = []; subscriberDefect = nil
            } else if s.element(3, is: "22") {
                loop = .subscriber
                member = nil; payer = []; subscriberDefect = nil
            } else {
                loop = .patient
            }
            if oversized || hasNUL { subscriberDefect = segmentDefect(number, oversized: oversized) }
            return done
        }
        if Segment.equals(id, "CLM") {
            let done = close()
            openClaim(number)
            loop = .claim
            let rawSpan = current.append(raw)
            current.raw = rawSpan
            if oversized || hasNUL {
                current.fail(segmentDefect(number, oversized: oversized))
                return done
            }
            current.claimID = span(s[1], in: s, raw: rawSpan)
            current.facility = span(s.component(5, 1), in: s, raw: rawSpan)
            current.frequency = span(s.component(5, 3), in: s, raw: rawSpan)
            if let member {
                current.member = current.append(member)
                current.hasMember = !member.isEmpty
            }
            current.payer = current.append(payer)
            if let subscriberDefect { current.fail(subscriberDefect) }
            return done
        }
        let isLX = Segment.equals(id, "LX")
        let isSV1 = Segment.equals(id, "SV1"), isSV2 = Segment.equals(id, "SV2")
        if isLX || isSV1 || isSV2 {
            var orphan = false
            if !isOpen {
                openClaim(number)
                current.fail(.lineOutsideClaim)
                orphan = true
            }
            if isLX || loop != .line || current.lines.last?.hasService == true {
                current.closeLine()
                current.lines.append(ServiceLine(segmentNumber: number))
                current.lineRawStart = current.arena.count
                if !isLX {
                    current.fail(.malformed("the service line at segment \(number) has no LX segment before its \(isSV1 ? "SV1" : "SV2")"))
                }
                loop = .line
            }
            let rawSpan = current.append(raw)
            if orphan { current.raw = rawSpan }
            if oversized || hasNUL {
                current.fail(segmentDefect(number, oversized: oversized))
                return false
            }
            let index = current.lines.count - 1
            if isLX {
                current.lines[index].number = span(s[1], in: s, raw: rawSpan)
            } else {
                readService(s, sv1: isSV1, into: index, raw: rawSpan)
            }
            return false
        }
        switch loop {
        case .header, .billingProvider:
            break
        case .subscriber, .patient:
            if oversized || hasNUL {
                subscriberDefect = segmentDefect(number, oversized: oversized)
            } else if loop == .subscriber && Segment.equals(id, "NM1") {
                if s.element(1, is: "IL") { member = Array(s[9]) }
                else if s.element(1, is: "PR") { payer = Array(s[3]) }
            }
        case .claim:
            if oversized || hasNUL { current.fail(segmentDefect(number, oversized: oversized)) }
            else if Segment.equals(id, "HI") { readDiagnoses(s) }
            else if Segment.equals(id, "DTP") && s.element(1, is: "434") && current.statementFirst == nil {
                if let period = X12Date.period(format: s[2], value: s[3]) {
                    current.statementFirst = period.first
                    current.statementLast = period.last
                } else {
                    current.fail(.badDate("claim_start_date", segment: number, what: "the statement period DTP*434"))
                }
            } else if Segment.equals(id, "SBR") { loop = .otherSubscriber }
        case .otherSubscriber:
            if oversized || hasNUL { current.fail(segmentDefect(number, oversized: oversized)) }
        case .line:
            current.append(raw)
            if oversized || hasNUL { current.fail(segmentDefect(number, oversized: oversized)) }
            else if Segment.equals(id, "DTP") && s.element(1, is: "472") {
                let index = current.lines.count - 1
                guard current.lines[index].first == nil else { break }
                if let period = X12Date.period(format: s[2], value: s[3]) {
                    current.lines[index].first = period.first
                    current.lines[index].last = period.last
                } else {
                    current.fail(.badDate("claim_line_start_date", segment: number, what: "the service date DTP*472"))
                }
            }
        }
        return false
    }

    private func openClaim(_ number: Int) {
        current.reset(kind: kind, segmentNumber: number)
        isOpen = true
    }

    /// Completes the open claim, if any: final checks, then it becomes `completed`.
    private func close() -> Bool {
        guard isOpen else { return false }
        isOpen = false
        current.closeLine()
        check(current)
        swap(&current, &completed)
        return true
    }

    private func check(_ claim: ClaimBuffer) {
        if claim.claimID.isEmpty { claim.fail(.noClaimID) }
        if !claim.hasMember { claim.fail(.noMember) }
        if !claim.hasPrincipal { claim.fail(.noPrincipalDiagnosis) }
        if claim.lines.isEmpty { claim.fail(.noLines) }
        for line in claim.lines {
            if !line.hasService {
                claim.fail(.malformed("the service line at segment \(line.segmentNumber) has no SV1 or SV2"))
            }
            let isPositive = claim.arena.withUnsafeBufferPointer { all in
                Self.isPositiveInteger(UnsafeBufferPointer(rebasing: all[line.number.start..<(line.number.start + line.number.count)]))
            }
            if !isPositive {
                claim.fail(ClaimDefect(column: "claim_line_number", kind: .badInteger,
                                       message: "LX01 at segment \(line.segmentNumber) is not a whole number greater than 0"))
            }
        }
        switch claim.kind {
        case .institutional: if claim.statementFirst == nil { claim.fail(.noStatementDates) }
        case .professional: if !claim.lines.contains(where: { $0.first != nil }) { claim.fail(.noServiceDates) }
        }
        if claim.defect == nil && !claim.valuesAreUTF8() {
            claim.fail(ClaimDefect(column: "", kind: .badValue, message: "a value the claim's rows take is not valid UTF-8 text"))
        }
    }

    /// SV1 (837P): SV101 procedure composite, SV102 charge, SV105 place of service.
    /// SV2 (837I): SV201 revenue code, SV202 procedure composite, SV203 charge.
    private func readService(_ s: Segment, sv1: Bool, into index: Int, raw: Span) {
        let composite = sv1 ? 1 : 2
        var line = current.lines[index]
        line.hasService = true
        let qualifier = s.component(composite, 1)
        if Segment.equals(qualifier, "HC") || Segment.equals(qualifier, "HP") {
            line.procedure = span(s.component(composite, 2), in: s, raw: raw)
            for m in 0..<4 { line.modifiers[m] = span(s.component(composite, 3 + m), in: s, raw: raw) }
        }
        if sv1 {
            line.charge = span(s[2], in: s, raw: raw)
            line.placeOfService = span(s[5], in: s, raw: raw)
        } else {
            line.revenue = span(s[1], in: s, raw: raw)
            line.charge = span(s[3], in: s, raw: raw)
        }
        current.lines[index] = line
    }

    /// HI composites: ABK/BK the principal diagnosis (ICD-10-CM / ICD-9-CM), ABF/BF the others, in
    /// order across the claim's HI segments. Other qualifiers are not diagnoses here.
    private func readDiagnoses(_ s: Segment) {
        for element in 1..<max(s.count, 1) {
            let qualifier = s.component(element, 1)
            let code = s.component(element, 2)
            guard !code.isEmpty else { continue }
            if Segment.equals(qualifier, "ABK") || Segment.equals(qualifier, "BK") {
                guard !current.hasPrincipal else { continue }
                current.hasPrincipal = true
                current.icd9 = qualifier.count == 2
                current.diagnoses.insert(current.append(code), at: 0)
            } else if Segment.equals(qualifier, "ABF") || Segment.equals(qualifier, "BF") {
                // Positions 2...25 (the principal may still come, in a later HI).
                guard current.diagnoses.count < (current.hasPrincipal ? 25 : 24) else { continue }
                current.diagnoses.append(current.append(code))
            }
        }
    }

    private func segmentDefect(_ number: Int, oversized: Bool) -> ClaimDefect {
        .malformed(oversized ? "segment \(number) is longer than the reader's limit" : "segment \(number) holds a NUL byte")
    }

    /// The span of `bytes` (an element or component of `s`) inside the segment's copy at `raw`.
    private func span(_ bytes: UnsafeBufferPointer<UInt8>, in s: Segment, raw: Span) -> Span {
        guard let address = bytes.baseAddress, !bytes.isEmpty, raw.count > 0 else { return Span(start: raw.start, count: 0) }
        return Span(start: raw.start + (address - s.base), count: bytes.count)
    }

    static func isPositiveInteger(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var start = 0, end = bytes.count
        while start < end && bytes[start] == 32 { start += 1 }
        while end > start && bytes[end - 1] == 32 { end -= 1 }
        var value = 0, digits = 0
        for byte in bytes[start..<end] {
            let digit = byte &- 48
            guard digit < 10 else { return false }
            value = min(value * 10 + Int(digit), Int(Int32.max) + 1)
            digits += 1
        }
        return digits > 0 && value > 0 && value <= Int(Int32.max)
    }
}
