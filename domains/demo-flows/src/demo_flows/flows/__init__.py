"""The demo domain's flows, one file a flow."""
