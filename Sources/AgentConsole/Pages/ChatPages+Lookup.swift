import Mustache

// The chat page's models answer the template's lookups by name. swift-mustache otherwise reflects a model
// (`Mirror`) for every lookup, up the stack of sections: a 100-message page made thousands of mirrors and
// spent most of its 27 ms there (`bench console`). A name not listed here falls through to the section
// around it, as an unknown one does with reflection.

extension ChatPages.MessageRow: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "id": id
        case "role": role
        case "fromAgent": fromAgent
        case "content": content
        case "html": html
        case "time": time
        case "status": status
        case "streaming": streaming
        case "bare": bare
        case "failed": failed
        case "error": error
        case "details": details
        case "rated": rated
        case "ratedGood": ratedGood
        case "ratedBad": ratedBad
        case "feedbackComment": feedbackComment
        case "versionLabel": versionLabel
        case "previousVersion": previousVersion
        case "nextVersion": nextVersion
        case "editable": editable
        case "follows": follows
        case "startsAnew": startsAnew
        default: nil
        }
    }
}

extension ChatPages.ChatPage: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "chrome": chrome
        case "agentID": agentID
        case "agentName": agentName
        case "agentHref": agentHref
        case "title": title
        case "storedTitle": storedTitle
        case "messages": messages
        case "earlier": earlier
        case "later": later
        case "repliesURL": repliesURL
        case "sendURL": sendURL
        case "renameURL": renameURL
        case "deleteURL": deleteURL
        case "downloadURL": downloadURL
        case "follow": follow
        case "parentID": parentID
        case "canWrite": canWrite
        case "unstored": unstored
        default: nil
        }
    }
}

extension Chrome: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "title": title
        case "css": css
        case "js": js
        case "signedIn": signedIn
        case "email": email
        case "csrf": csrf
        case "navigation": navigation
        case "sessionIdleSeconds": sessionIdleSeconds
        default: nil
        }
    }
}
