/// A diagnosis event of a member's history, with the ledger entry of its claim (lineage).
public struct DxEventRef: Sendable, Equatable, Codable {
    public let day: Day
    public let claimID: String
    public let position: Int
    public let code: String
    /// The ledger entry of the claim version; nil for a candidate claim that is not stored.
    public let loadID: Int64?

    public init(day: Day, claimID: String, position: Int, code: String, loadID: Int64?) {
        self.day = day
        self.claimID = claimID
        self.position = position
        self.code = code
        self.loadID = loadID
    }
}

/// One eligibility span of a member.
public struct EligibilitySpan: Sendable, Equatable, Codable {
    public let start: Day
    /// nil: open-ended.
    public let end: Day?
    public let payer: String
    public let plan: String
    public let loadID: Int64

    public init(start: Day, end: Day?, payer: String, plan: String, loadID: Int64) {
        self.start = start
        self.end = end
        self.payer = payer
        self.plan = plan
        self.loadID = loadID
    }

    public func covers(_ day: Day) -> Bool { start <= day && (end.map { day <= $0 } ?? true) }
}

/// The days of a category's events a decision can look at: `from` nil means any earlier date.
public struct EventWindow: Sendable, Equatable {
    public var from: Day?
    public var to: Day

    public init(from: Day?, to: Day) {
        self.from = from
        self.to = to
    }

    /// The smallest window holding both.
    public func union(_ other: EventWindow) -> EventWindow {
        let from: Day? = if let a = self.from, let b = other.from { min(a, b) } else { nil }
        return EventWindow(from: from, to: max(to, other.to))
    }
}

/// Which stored claim lines a read covers. Every field left nil matches all.
public struct LineScope: Sendable, Equatable {
    public var memberID: String?
    public var claimID: String?
    /// Service dates from ... through (inclusive).
    public var serviceFrom: Day?
    public var serviceTo: Day?
    /// Only lines a load after a ledger entry may have changed the decision of.
    public var changedSince: Change?

    /// Lines of members whose claims or eligibility a load after `load` touched, dated no earlier
    /// than `reachDays` before the earliest day that load changed for them: a decision on D reads
    /// no history dated after D + `reachDays` (the latest window end after the index date).
    /// Reading with it defines `temp.changed_member` over those loads' changes (see
    /// `HistoryReader.forEachImagingLine`), for the caller's own queries until `forgetChangedMembers`.
    public struct Change: Sendable, Equatable {
        public var load: Int64
        public var reachDays: Int

        public init(load: Int64, reachDays: Int) {
            self.load = load
            self.reachDays = reachDays
        }
    }

    public init(memberID: String? = nil, claimID: String? = nil, serviceFrom: Day? = nil, serviceTo: Day? = nil,
                changedSince: Change? = nil) {
        self.memberID = memberID
        self.claimID = claimID
        self.serviceFrom = serviceFrom
        self.serviceTo = serviceTo
        self.changedSince = changedSince
    }
}
