import Foundation
import History
import Policy
import SQLiteDB

/// X12 835-style remittance fragments for denied lines: for each claim, `CLP` and the patient
/// `NM1*QC` (member id as `MI`), then for each
/// denied line `SVC`, `DTM*472`, `CAS`, `REF*0K`, `LQ*HE`.
///
/// A fragment for the claims system to merge into its own 835, not an interchange: no ISA/GS/ST
/// envelope, no BPR/TRN, no payer or payee loops. Separators are the standard ones: `*` between
/// elements, `:` between components, `~` ending each segment (one segment per line). Amounts come
/// from the extract's `charge_amount`; where it is missing or not a number, 0 is used.
/// `CLP02` is 4 (denied) when every line of the claim is denied here, else 1 (processed as primary);
/// `CLP04`/`CLP05` (paid, patient responsibility) are 0: the fragment speaks for the denied lines only;
/// `CLP06` is `ZZ` (mutually defined): the extract carries no claim filing indicator.
struct Remittance835 {
    let db: Connection

    func write(filter: DecisionFilter, to out: HashingOutput, counted: (Decision) -> Void) throws {
        var pending: [Decision] = []
        func flush() throws {
            guard let first = pending.first else { return }
            try out.write(try fragment(claimID: first.line.claimID, denied: pending))
            pending.removeAll()
        }
        try DecisionStore(db).forEachCurrent(filter, withEvidence: false) { decision in
            counted(decision)
            if let first = pending.first, first.line.claimID != decision.line.claimID { try flush() }
            pending.append(decision)
        }
        try flush()
    }

    /// The fragment of one claim, from the line versions the decisions were made on: the claim's
    /// total and status come from that version's stored lines while it is stored, else from the
    /// decided lines alone (the claim was replaced or voided since).
    private func fragment(claimID: String, denied: [Decision]) throws -> String {
        let first = denied[0].line
        var charges = try first.loadID.map { try HistoryReader(db).lineCharges(claimID: claimID, loadID: $0) } ?? []
        if charges.count < denied.count { charges = denied.map(\.line.chargeAmount) }
        let total = charges.reduce(Decimal(0)) { $0 + Self.amount($1) }
        let status = denied.count == charges.count ? "4" : "1"
        var segments = [
            Self.segment(["CLP", claimID, status, Self.format(total), "0", "0", "ZZ", claimID]),
            // 2100 patient name: required after CLP; the extract has the member id, not the name.
            Self.segment(["NM1", "QC", "1", "", "", "", "", "", "MI", first.memberID]),
        ]
        for decision in denied {
            let line = decision.line
            let charge = Self.amount(line.chargeAmount)
            let procedure = (["HC", line.hcpcsCode] + line.modifiers).map(Self.clean).joined(separator: ":")
            var svc = ["SVC", procedure, Self.format(charge), "0"]
            if !line.revenueCode.isEmpty { svc.append(line.revenueCode) }
            let denial = decision.denial ?? DenialCodes()
            segments.append(Self.segment(svc))
            segments.append(Self.segment(["DTM", "472", Self.x12Date(line.serviceDay)]))
            segments.append(Self.segment(["CAS", denial.groupCode, denial.carc, Self.format(charge)]))
            segments.append(Self.segment(["REF", "0K", decision.policyID]))
            segments.append(Self.segment(["LQ", "HE", denial.rarc]))
        }
        return segments.joined()
    }

    /// A segment: elements joined by `*`, ended by `~` and a line break. Separator characters in
    /// data are replaced by spaces so they cannot break the syntax.
    /// (`SVC01` is a composite: its components are cleaned one by one before they are joined.)
    static func segment(_ elements: [String]) -> String {
        let cleaned = elements.enumerated().map { index, element in
            index == 1 && elements[0] == "SVC" ? element : clean(element)
        }
        return cleaned.joined(separator: "*") + "~\n"
    }

    /// The element or component with the separator characters replaced by spaces.
    static func clean(_ text: String) -> String {
        String(text.map { $0 == "*" || $0 == "~" || $0 == ":" ? " " : $0 })
    }

    /// The amount in `text` when all of it is a plain decimal number (`-12.50`), else 0.
    static func amount(_ text: String) -> Decimal {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let digits = trimmed.hasPrefix("-") ? trimmed.dropFirst() : Substring(trimmed)
        let parts = digits.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), !parts[0].isEmpty,
              parts.allSatisfy({ $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }),
              parts.count == 1 || !parts[1].isEmpty else { return 0 }
        return Decimal(string: trimmed, locale: Locale(identifier: "en_US_POSIX")) ?? 0
    }

    /// X12 decimal: no thousands separators, at most two decimals, no trailing zeros needed.
    static func format(_ amount: Decimal) -> String {
        var value = amount
        var rounded = Decimal()
        NSDecimalRound(&rounded, &value, 2, .plain)
        return NSDecimalNumber(decimal: rounded).stringValue
    }

    static func x12Date(_ day: Day) -> String { day.iso.replacingOccurrences(of: "-", with: "") }
}
