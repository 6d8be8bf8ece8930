import Crypto
import History

/// What one rule looked at in the history, and what it found.
public struct Evidence: Sendable, Codable, Equatable {
    /// `PRIMARY_DX`, `COVERAGE`, `PLAN`, `INDEX_DATE`, `PRIOR_LBP`, `ENROLLMENT` or a red flag's reason.
    public var rule: String
    /// `found`/`none` for diagnosis windows; `covered`/`not_covered`, `exempt`/`not_exempt`,
    /// `continuous`/`not_continuous` for eligibility.
    public var finding: String
    public var windowStart: Day?
    public var windowEnd: Day?
    public var claimID: String?
    public var position: Int?
    public var code: String?
    public var day: Day?
    public var valueSet: String?
    /// The ledger entry the evidence came from.
    public var loadID: Int64?
    /// Plain words for what does not fit the columns (spans, gaps, plans).
    public var detail: String?

    public init(rule: String, finding: String, windowStart: Day? = nil, windowEnd: Day? = nil, claimID: String? = nil,
                position: Int? = nil, code: String? = nil, day: Day? = nil, valueSet: String? = nil, loadID: Int64? = nil,
                detail: String? = nil) {
        self.rule = rule
        self.finding = finding
        self.windowStart = windowStart
        self.windowEnd = windowEnd
        self.claimID = claimID
        self.position = position
        self.code = code
        self.day = day
        self.valueSet = valueSet
        self.loadID = loadID
        self.detail = detail
    }

    /// Evidence from a diagnosis event (or its absence) in a window.
    static func event(_ rule: String, _ event: DxEventRef?, valueSet: String, from: Day?, to: Day?) -> Evidence {
        Evidence(rule: rule, finding: event == nil ? "none" : "found", windowStart: from, windowEnd: to,
                 claimID: event?.claimID, position: event?.position, code: event?.code, day: event?.day,
                 valueSet: valueSet, loadID: event?.loadID)
    }
}

/// The decision for one imaging line.
public struct Decision: Sendable, Codable, Equatable {
    public var line: ImagingLine
    public var outcome: Outcome
    public var reason: String
    /// I, where the rules reached it.
    public var indexDay: Day?
    /// I + 28.
    public var windowEndDay: Day?
    /// Every red flag present, in policy order.
    public var redFlags: [String]
    /// Group code, CARC, RARC: denials only.
    public var denial: DenialCodes?
    public var policyID: String
    public var policyVersion: String
    public var evidence: [Evidence]
    /// Set once stored.
    public var decisionID: Int64?
    /// When the decision was first made (unchanged re-decisions keep it).
    public var decidedAt: String?

    /// What adjudicators act on: two decisions with the same substance are the same answer, even
    /// when their evidence points to a newer file or they were made under another policy version.
    public var substance: DecisionSubstance {
        DecisionSubstance(outcome: outcome.rawValue, reason: reason, indexDay: indexDay, redFlags: redFlags.joined(separator: ";"))
    }

    /// A digest of everything that makes this decision what it is (not its id or time): two
    /// decisions with the same fingerprint are the same decision. Fields are fed to the hash one
    /// by one, each ended by a separator byte (days as day numbers), so no text is assembled.
    public var fingerprint: String {
        // Fields go into one buffer (each ended by a separator byte; numbers as decimal text),
        // hashed once: a hash update per field cost more than the rest of deciding a line.
        var bytes: [UInt8] = []
        bytes.reserveCapacity(1024)
        func add(_ text: String?) {
            if let text { bytes.append(contentsOf: text.utf8) }
            bytes.append(text == nil ? 0x1E : 0x1F)
        }
        func add(_ number: Int64?) {
            if let number { bytes.append(contentsOf: String(number).utf8) }
            bytes.append(number == nil ? 0x1E : 0x1F)
        }
        func add(_ day: Day?) { add(day.map { Int64($0.number) }) }
        add(line.claimID); add(Int64(line.lineNumber)); add(line.memberID); add(line.serviceDay); add(line.hcpcsCode)
        add(line.claimType); add(line.loadID); add(line.claimStartDay); add(line.primaryDiagnosis)
        add(line.modifiers.joined(separator: ";")); add(line.revenueCode); add(line.chargeAmount)
        add(outcome.rawValue); add(reason); add(indexDay); add(windowEndDay)
        add(redFlags.joined(separator: ";")); add(denial?.groupCode); add(denial?.carc); add(denial?.rarc)
        add(policyID); add(policyVersion)
        for item in evidence {
            add(item.rule); add(item.finding); add(item.windowStart); add(item.windowEnd); add(item.claimID)
            add(item.position.map { Int64($0) }); add(item.code); add(item.day); add(item.valueSet); add(item.loadID); add(item.detail)
        }
        return SHA256.hash(data: bytes).hexString
    }
}


/// Outcome, reason, index date and red flags: a decision "changed" when one of these did.
public struct DecisionSubstance: Sendable, Equatable {
    public var outcome: String
    public var reason: String
    public var indexDay: Day?
    /// ';'-separated, in policy order.
    public var redFlags: String

    /// The change kind from `self` (earlier) to `other`, or nil when they agree.
    public func changeKind(to other: DecisionSubstance) -> String? {
        if outcome != other.outcome { return "outcome" }
        if reason != other.reason { return "reason" }
        if indexDay != other.indexDay { return "index_date" }
        if redFlags != other.redFlags { return "red_flags" }
        return nil
    }
}
