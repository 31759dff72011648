"""The use cases of alerts, one module each: `searches` (saved searches), `digests` (the
round), `feeds` (Atom), `notices` (authorities, coordinators), `calls` (calls for interest),
`preferences` (what to receive, unsubscribe tokens), `mail` (writing mails) and `outbox`
(sending them). Functions take the session first; writes commit unless they say otherwise."""
