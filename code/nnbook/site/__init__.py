"""The site's machinery: Sphinx extensions (offline assets, Korean search, accessibility), the glossary
that is the book's one source of terms, and the static server the tests and benches use."""
