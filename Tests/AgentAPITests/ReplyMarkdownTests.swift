import Testing

@testable import AgentConsole

/// A reply's Markdown as the chat page shows it: the blocks and inline forms models answer in, every byte
/// of the text escaped, links to the web and mail only.
@Suite struct ReplyMarkdownTests {
    private func html(_ text: String) -> String { ReplyMarkdown.html(text) }

    // MARK: Safety

    @Test func markupInTheTextIsShownNotRun() {
        #expect(html("<script>alert(1)</script>") == "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>\n")
        #expect(html("<img src=x onerror=alert(1)>") == "<p>&lt;img src=x onerror=alert(1)&gt;</p>\n")
        #expect(html("a & b \"c\" 'd'") == "<p>a &amp; b &quot;c&quot; &#39;d&#39;</p>\n")
        #expect(html("```\n<b>bold</b>\n```") == "<pre><code>&lt;b&gt;bold&lt;/b&gt;\n</code></pre>\n")
        #expect(html("`<i>`") == "<p><code>&lt;i&gt;</code></p>\n")
    }

    @Test(arguments: [
        "[click](javascript:alert(1))", "[click](JAVASCRIPT:alert(1))", "[click](data:text/html,<script>x</script>)",
        "[click](vbscript:msgbox)", "[click](//evil.example/path)", "<javascript:alert(1)>",
    ])
    func linksGoNowhereButTheWebAndMail(markdown: String) {
        let rendered = html(markdown)
        #expect(!rendered.contains("<a "), "\(rendered)")
        #expect(!rendered.contains("<script"))
    }

    @Test func aLinksTargetCannotLeaveItsAttribute() {
        let rendered = html(#"[x](https://example.com/"onmouseover="alert(1))"#)
        #expect(rendered.contains(#"href="https://example.com/&quot;onmouseover=&quot;alert(1)" rel="#), "\(rendered)")
        #expect(!rendered.contains(#"" onmouseover"#))
    }

    @Test func anImageIsALinkNotAFetch() {
        #expect(
            html("![a chart](https://example.com/c.png)")
                == "<p><a href=\"https://example.com/c.png\" rel=\"noopener noreferrer nofollow\">a chart</a></p>\n")
    }

    @Test func aCodeBlocksLanguageCannotLeaveItsClass() {
        #expect(html("```swift\nlet a = 1\n```").hasPrefix("<pre><code class=\"language-swift\">let a = 1\n"))
        #expect(html("```\"><script>\nx\n```").hasPrefix("<pre><code>x\n"))
    }

    // MARK: Blocks

    @Test func paragraphsKeepTheirLineEnds() {
        #expect(html("one\ntwo\n\nthree") == "<p>one<br>\ntwo</p>\n<p>three</p>\n")
    }

    @Test func headingsSitUnderThePagesOwn() {
        #expect(html("# Title") == "<h3>Title</h3>\n")
        #expect(html("### Part ###") == "<h5>Part</h5>\n")
        #expect(html("###### Deep") == "<h6>Deep</h6>\n")
        #expect(html("#hashtag") == "<p>#hashtag</p>\n")
    }

    @Test func fencedCodeKeepsItsTextAsIs() {
        let text = "Before\n```python\ndef f(x):\n    return x * 2  # *not* emphasis\n```\nAfter"
        #expect(
            html(text)
                == "<p>Before</p>\n<pre><code class=\"language-python\">def f(x):\n    return x * 2  # *not* emphasis\n</code></pre>\n<p>After</p>\n"
        )
        // A fence a reply never closed (cut short, or cancelled) runs to the end.
        #expect(html("~~~\nunfinished") == "<pre><code>unfinished\n</code></pre>\n")
    }

    @Test func listsNestAndNumber() {
        #expect(
            html("- one\n- two\n  - inner\n- three")
                == "<ul>\n<li>one\n</li>\n<li>two\n<ul>\n<li>inner\n</li>\n</ul>\n</li>\n<li>three\n</li>\n</ul>\n")
        #expect(html("3. c\n4. d") == "<ol start=\"3\">\n<li>c\n</li>\n<li>d\n</li>\n</ol>\n")
        #expect(html("1. a\n\n2. b") == "<ol>\n<li><p>a</p>\n</li>\n<li><p>b</p>\n</li>\n</ol>\n")
        // A number in a sentence does not start a list.
        #expect(html("Founded in\n2024. Then") == "<p>Founded in<br>\n2024. Then</p>\n")
    }

    /// Blank lines between the items of a nested list make that list loose, not the list it is in; one
    /// between an item's own blocks makes its list loose.
    @Test func aNestedListsBlankLinesAreItsOwn() {
        #expect(
            html("- a\n  - b\n\n  - c\n- d")
                == "<ul>\n<li>a\n<ul>\n<li><p>b</p>\n</li>\n<li><p>c</p>\n</li>\n</ul>\n</li>\n<li>d\n</li>\n</ul>\n")
        #expect(html("- a\n  - b\n\n  more of a\n- d").contains("<li><p>d</p>"))
    }

    @Test func codeKeepsItsTabsAndAListItsFence() {
        #expect(html("```make\nall:\n\tcc x.c\n```") == "<pre><code class=\"language-make\">all:\n\tcc x.c\n</code></pre>\n")
        #expect(
            html("- a\n  ```\n  x\n\n  y\n  ```\nAfter the list")
                == "<ul>\n<li>a\n<pre><code>x\n\ny\n</code></pre>\n</li>\n</ul>\n<p>After the list</p>\n")
    }

    @Test func quotesRulesAndTables() {
        #expect(html("> quoted\n> **twice**") == "<blockquote>\n<p>quoted<br>\n<strong>twice</strong></p>\n</blockquote>\n")
        #expect(html("a\n\n---\n\nb") == "<p>a</p>\n<hr>\n<p>b</p>\n")
        #expect(html("Compared:\n| a | b |\n|---|---|\n| 1 | 2 |").hasPrefix("<p>Compared:</p>\n<div class=\"table\"><table>"))
        #expect(
            html("| name | n |\n| :--- | --: |\n| a \\| b | 1 |\n| c |\n\nafter")
                == "<div class=\"table\"><table>\n<thead>\n<tr><th class=\"align-left\">name</th><th class=\"align-right\">n</th></tr>\n"
                + "</thead>\n<tbody>\n<tr><td class=\"align-left\">a | b</td><td class=\"align-right\">1</td></tr>\n"
                + "<tr><td class=\"align-left\">c</td><td class=\"align-right\"></td></tr>\n</tbody>\n</table></div>\n<p>after</p>\n"
        )
    }

    // MARK: Inline

    @Test func emphasisNestsAndLeavesWordsAlone() {
        #expect(html("**bold** and *it* and ~~gone~~") == "<p><strong>bold</strong> and <em>it</em> and <del>gone</del></p>\n")
        #expect(html("***both***") == "<p><em><strong>both</strong></em></p>\n")
        #expect(html("snake_case_name and 2*3*4") == "<p>snake_case_name and 2<em>3</em>4</p>\n")
        #expect(html("*a _b* c_") == "<p><em>a _b</em> c_</p>\n")
        #expect(html("a * b * c") == "<p>a * b * c</p>\n")
        #expect(html("**unclosed") == "<p>**unclosed</p>\n")
    }

    @Test func linksAndCode() {
        #expect(
            html("See [the docs](https://example.com/a?b=1&c=2 \"Docs\") or https://example.com/x.")
                == "<p>See <a href=\"https://example.com/a?b=1&amp;c=2\" rel=\"noopener noreferrer nofollow\">the docs</a> or <a href=\"https://example.com/x\" rel=\"noopener noreferrer nofollow\">https://example.com/x</a>.</p>\n"
        )
        #expect(
            html("[Swift](https://en.wikipedia.org/wiki/Swift_(programming_language))")
                == "<p><a href=\"https://en.wikipedia.org/wiki/Swift_(programming_language)\" rel=\"noopener noreferrer nofollow\">Swift</a></p>\n"
        )
        // Link text may hold brackets that pair up; a `[` that pairs with none is text.
        #expect(
            html("[see [1]](https://example.com/n)")
                == "<p><a href=\"https://example.com/n\" rel=\"noopener noreferrer nofollow\">see [1]</a></p>\n")
        #expect(
            html("[a [b](https://example.com/b)")
                == "<p>[a <a href=\"https://example.com/b\" rel=\"noopener noreferrer nofollow\">b</a></p>\n")
        #expect(html("[a]b](https://example.com/c)").hasPrefix("<p>[a]b]("))
        // A code span's brackets are code: they neither close a link's text nor open one.
        #expect(
            html("[call `a[0]` or `]`](https://example.com/i)")
                == "<p><a href=\"https://example.com/i\" rel=\"noopener noreferrer nofollow\">call <code>a[0]</code> or <code>]</code></a></p>\n"
        )
        #expect(html("`[x`](https://example.com/y)").hasPrefix("<p><code>[x</code>]("))
        #expect(html("[a `b](https://example.com/z) c`") == "<p>[a <code>b](https://example.com/z) c</code></p>\n")
        #expect(html("[x](https://example.com/snake\\_case\\))").contains("href=\"https://example.com/snake_case)\""))
        #expect(html("``a ` b``") == "<p><code>a ` b</code></p>\n")
        #expect(html("\\*not\\* `x") == "<p>*not* `x</p>\n")
        #expect(html("mail [me](mailto:a@example.com)").contains("href=\"mailto:a@example.com\""))
        #expect(html("**https://example.com/a**").contains("<strong><a href=\"https://example.com/a\""))
    }

    @Test func textBeyondAnyScriptPassesThrough() {
        #expect(html("é **ü** 日本 🙂") == "<p>é <strong>ü</strong> 日本 🙂</p>\n")
        #expect(html("") == "")
    }

    // MARK: Hostile input

    /// Inputs that make a naive renderer quadratic or recurse without end. Each is rendered whole, and
    /// escaped: no tags but those it is made of.
    @Test(arguments: [
        String(repeating: "*a ", count: 60_000), String(repeating: "[", count: 150_000),
        String(repeating: "`", count: 1) + String(repeating: "a``", count: 50_000),
        String(repeating: "> ", count: 20_000) + "deep", String(repeating: "- ", count: 20_000) + "deep",
        String(repeating: "[a](", count: 40_000), String(repeating: "_a", count: 80_000),
        String(repeating: "http://", count: 25_000), String(repeating: "| a ", count: 40_000) + "\n|---|",
        String(repeating: "(http://", count: 20_000), String(repeating: "[a](u \"", count: 20_000),
        String(repeating: "<http://a", count: 20_000), String(repeating: "[a](((((", count: 20_000),
        String(repeating: "[", count: 50_000) + "](" + String(repeating: " ", count: 149_990) + "x",
        String(repeating: "[", count: 190_000) + "](" + String(repeating: "a", count: 2_100),
        String(repeating: "[", count: 100_000) + String(repeating: "](u)", count: 100_000),
        String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000) + "(https://e.test)",
    ])
    func hostileRepliesRenderWhole(text: String) {
        let rendered = html(text)
        #expect(!rendered.isEmpty)
        #expect(!rendered.contains("<script"))
    }

    @Test func aReplyLongerThanTheBoundIsShownPlain() {
        let text = String(repeating: "**x** ", count: ReplyMarkdown.renderedBytes / 6 + 1)
        let rendered = html(text)
        #expect(rendered.hasPrefix("<p class=\"plain\">**x** "))
        #expect(!rendered.contains("<strong>"))
    }
}
