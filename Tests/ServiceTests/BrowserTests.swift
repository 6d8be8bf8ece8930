import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// The adjudicators' page in a real headless browser (Debian's chromium, installed by
/// `Scripts/setup-browser` from `.ci/run`): it loads, takes the token, looks a claim up and shows
/// the expected decision with its timeline.
struct BrowserTests {
    /// Debian's chromium, if installed.
    static let chromium: String? = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/lib/chromium/chromium"]
        .first { FileManager.default.isExecutableFile(atPath: $0) }

    /// The DOM after the page's scripts ran (up to 20 s of virtual time for its fetches).
    static func dumpDOM(_ url: String, profile: String) async throws -> String {
        let result = try await runProcess(chromium!, [
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
            "--user-data-dir=\(profile)", "--virtual-time-budget=20000", "--dump-dom", url,
        ], errorsApart: true)
        return result.output
    }

    @Test(.enabled(if: chromium != nil, "chromium is not installed (Scripts/setup-browser installs it; .ci/run runs that)"))
    func aLookupShowsTheDecisionAndTheTimeline() async throws {
        let book = try SampleBook()
        let profile = book.history.directory.file("chromium-profile")
        let doms = try await makeApp(book).test(.live) { client in
            let port = try #require(client.port)
            let page = "http://127.0.0.1:\(port)/"
            // Without a token the page asks for one and shows no lookup.
            let empty = try await Self.dumpDOM(page, profile: profile + "-1")
            let claim = try await Self.dumpDOM(page + "#token=\(testToken)&claim=C01102", profile: profile + "-2")
            let member = try await Self.dumpDOM(page + "#token=\(testToken)&member=M007", profile: profile + "-3")
            return (empty, claim, member)
        }
        #expect(doms.0.contains("<title>lbp: imaging for low back pain</title>"), "\(doms.0.prefix(300))")
        #expect(doms.0.contains("<form id=\"token-form\" class=\"\" autocomplete=\"off\">"), "the token form is shown")
        #expect(doms.0.contains("<form id=\"lookup-form\" class=\"hidden\""), "the lookup waits for the token")

        let claim = doms.1
        #expect(claim.contains("Claim C01102: 1 decided imaging line(s)."), "\(claim.suffix(2000))")
        #expect(claim.contains("<span class=\"badge ALLOW\">ALLOW</span>"))
        #expect(claim.contains("<span class=\"reason\">RED_FLAG_TRAUMA</span>"))
        #expect(claim.contains("Allowed: red flag recent trauma (S32000A on 2024-02-15"))
        #expect(claim.contains("Explanation (lbp explain)"))
        #expect(claim.contains("<svg"), "the timeline is drawn")
        #expect(claim.contains("180-day lookback"))
        #expect(claim.contains("RED_FLAG_TRAUMA: 2023-02-05 to 2024-03-04 (found)"), "the trauma window with its finding")
        #expect(!claim.contains(testToken), "the token is not in the page")

        let member = doms.2
        #expect(member.contains("Member M007: 1 imaging line(s)"), "\(member.suffix(2000))")
        #expect(member.contains("<span class=\"badge DENY\">DENY</span>"))
        #expect(member.contains("Not reimbursed (CO-50, N130)"))
    }
}
