"""The demo domain: example flows for every feature of flowtasks."""
