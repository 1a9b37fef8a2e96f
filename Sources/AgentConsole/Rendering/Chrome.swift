/// What every page's layout shows around its content: the title, the assets, the navigation with the
/// current section marked, the signed-in user and the CSRF token the page's forms carry.
struct Chrome: Sendable {
    /// The console's sections, as the navigation lists them.
    enum Section: String, Sendable {
        case agents, connections, search, usage, audit, tokens, signIn
    }

    /// One entry of the navigation.
    struct NavigationLink: Sendable {
        let href: String
        let label: String
        /// Its `aria-current`: `page` on the section's own page, `true` on a page within it (an agent's, a
        /// conversation); nil elsewhere.
        let current: String?
    }

    let title: String
    let css: String
    let js: String
    let signedIn: Bool
    let email: String?
    let csrf: String
    let navigation: [NavigationLink]
    /// How long a session lasts without use: the script warns before it ends (signed-in pages only).
    let sessionIdleSeconds: Int

    /// `withinSection`: the page is one of the section's (an agent's page), not the section's own (the agents).
    init(
        title: String, section: Section, withinSection: Bool = false, assets: ConsoleAssets, visit: ConsoleVisit?,
        email: String? = nil
    ) {
        self.title = title
        self.css = assets.stylesheetPath
        self.js = assets.scriptPath
        self.signedIn = visit != nil
        self.email = email
        self.csrf = visit?.csrf ?? ""
        self.sessionIdleSeconds = assets.sessionIdleSeconds
        let sections: [(Section, String)] = [
            (.agents, "Agents"), (.connections, "Connections"), (.search, "Search"), (.usage, "Usage"),
            (.audit, "Audit log"), (.tokens, "Tokens"),
        ]
        self.navigation = sections.map {
            NavigationLink(
                href: "/\($0.0.rawValue)", label: $0.1, current: $0.0 != section ? nil : withinSection ? "true" : "page")
        }
    }
}
