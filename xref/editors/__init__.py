"""Editor protocols: tags files, the cscope line interface, a language server."""
