import Foundation
import History
import Hummingbird
import HummingbirdTesting
import Ingest
import NIOConcurrencyHelpers
import Testing
import TestSupport

/// The service answers while `lbp load` writes, and every answer sees whole loads: a check made
/// before the March file is committed says DENY, one made after says ALLOW RED_FLAG_TRAUMA, and
/// each answer names the last load it saw.
struct ConcurrentLoadTests {
    /// A claims file of `rows` ordinary visits of other members, to keep the loader busy.
    static func filler(rows: Int) -> String {
        var text = "claim_id,claim_line_number,claim_type,member_id,claim_start_date,hcpcs_code,diagnosis_code_1,diagnosis_code_2\n"
        for n in 0..<rows {
            text += "F\(n / 2),\(n % 2 + 1),professional,MF\(n / 20),2024-0\(n % 9 + 1)-1\(n % 10),9921\(n % 5),M5450,E119\n"
        }
        return text
    }

    @Test func checksDuringALoadSeeWholeLoads() async throws {
        let book = try SampleBook(months: 2)
        #expect(try book.decision("C01102", 1)?.outcome == .deny)
        let check = try CheckRouteTests.json(try CheckRouteTests.body(of: "C01102", in: book.db))
        let fillerPath = book.history.directory.write("filler.csv", Self.filler(rows: 60_000))
        let march = SampleBook.claimsFile(3)
        let databasePath = book.path, rejects = book.history.directory.path

        let loading = NIOLockedValueBox(true)
        let loadError = NIOLockedValueBox<String?>(nil)
        // The loader waits at the gate until the first answer is in.
        let gate = DispatchSemaphore(value: 0)
        let loader = Thread {
            gate.wait()
            do {
                let db = try HistoryDatabase.open(path: databasePath)
                let loader = ExtractLoader(db: db, options: .init(rejectsDirectory: rejects))
                _ = try loader.load(path: fillerPath, kind: .claims)     // load 4
                _ = try loader.load(path: march, kind: .claims)          // load 5: the trauma claim
            } catch {
                loadError.withLockedValue { $0 = "\(error)" }
            }
            loading.withLockedValue { $0 = false }
        }

        loader.start()
        let answers = try await makeApp(book).test(.router) { client in
            var answers: [(load: Int, outcome: String, reason: String)] = []
            func ask() async throws {
                answers.append(try await client.execute(uri: "/v1/check", method: .post, headers: authorized("application/json"), body: check) { response in
                    #expect(response.status == .ok)
                    let body = response.object()
                    let line = objects(body["lines"]).first ?? [:]
                    return ((body["history"] as? [String: Any])?["last_load_id"] as? Int ?? 0,
                            line["outcome"] as? String ?? "", line["reason"] as? String ?? "")
                })
            }
            try await ask()
            gate.signal()
            var asked = 0
            while loading.withLockedValue({ $0 }) && asked < 5_000 {
                try await ask()
                asked += 1
            }
            try await ask()
            return answers
        }
        #expect(loadError.withLockedValue { $0 } == nil)
        #expect(answers.first?.load == 3 && answers.first?.outcome == "DENY")
        #expect(answers.last?.load == 5 && answers.last?.reason == "RED_FLAG_TRAUMA")
        for answer in answers {
            switch answer.load {
            case 3, 4: #expect(answer.outcome == "DENY" && answer.reason == "LBP_IMAGING_WITHIN_28_DAYS", "\(answer)")
            case 5: #expect(answer.outcome == "ALLOW" && answer.reason == "RED_FLAG_TRAUMA", "\(answer)")
            default: Issue.record("an answer saw load \(answer.load)")
            }
        }
        #expect(zip(answers, answers.dropFirst()).allSatisfy { $0.load <= $1.load }, "answers never go back in time")
        print("[service] \(answers.count) checks answered around a load of 60,000 + \(try String(contentsOfFile: march, encoding: .utf8).split(separator: "\n").count - 1) rows; loads seen: \(Set(answers.map(\.load)).sorted())")
    }
}
