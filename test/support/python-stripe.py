"""Drives Verity with Stripe's Python library as a Python user would, for test/e2e/python-stripe.test.ts.

Run with Debian's interpreter and its python3-stripe package, unmodified (5.0.0 in bookworm):
`/usr/bin/python3 -I python-stripe.py lifecycle API_BASE API_KEY WEBHOOK_URL` makes the calls and
prints what came back as one JSON object on stdout; `... verify` reads {secret, deliveries:
[{body, signature}]} on stdin and prints what `stripe.Webhook.construct_event` made of each.
Written for 5.0.0's API (stripe.api_resources), which later versions still offer.
"""
import json
import sys

import stripe

# 5.0.0 has no stripe.identity module to import from: the classes hang off the package.
VerificationReport = stripe.identity.VerificationReport
VerificationSession = stripe.identity.VerificationSession

# The event types the events list asks for (a redaction's event comes later, from the background).
LISTED_EVENTS = ["created", "processing", "requires_input", "verified", "canceled"]


def test_helper(session_id, action, **params):
    """POST /v1/test_helpers/identity/verification_sessions/{id}/{action}: 5.0.0 has no method for
    it, so the library's own requestor sends it, encoded and authenticated as any other call."""
    response, api_key = stripe.api_requestor.APIRequestor().request(
        "post", "/v1/test_helpers/identity/verification_sessions/%s/%s" % (session_id, action), params
    )
    return stripe.util.convert_to_stripe_object(response, api_key)


def lifecycle(api_base, api_key, webhook_url):
    stripe.api_base = api_base
    stripe.api_key = api_key
    stripe.max_network_retries = 0

    # Booleans go out as Python writes them (5.0.0 sends `connect=False`, `...=True`).
    endpoint = stripe.WebhookEndpoint.create(
        url=webhook_url,
        enabled_events=["identity.verification_session.verified", "identity.verification_session.canceled"],
        description="python3-stripe",
        metadata={"library": "python3-stripe"},
        connect=False,
    )
    # Only the create answer shows the signing secret.
    secret = endpoint.secret
    created = VerificationSession.create(
        type="document",
        client_reference_id="python-1",
        # An integer metadata value is sent as its digits.
        metadata={"order_id": 1234, "note": "first try"},
        provided_details={"email": "jenny@example.com"},
        options={
            "document": {
                "allowed_types": ["passport", "driving_license"],
                "require_matching_selfie": True,
                "require_live_capture": False,
            }
        },
        expand=["provided_details"],
    )
    second = VerificationSession.create(type="id_number", client_reference_id="python-2")
    retrieved = VerificationSession.retrieve(created.id, expand=["provided_details"])
    # limit=1 makes auto_paging_iter follow starting_after from page to page.
    listed = [
        session.id for session in VerificationSession.list(limit=1, created={"gte": created.created}).auto_paging_iter()
    ]
    # An empty value unsets a metadata key; the document options are replaced.
    updated = VerificationSession.modify(
        created.id,
        metadata={"note": "", "tier": "gold"},
        options={"document": {"require_matching_selfie": False, "require_live_capture": True}},
    )
    statuses = [test_helper(created.id, "process").status]
    requires_input = test_helper(created.id, "require_input", last_error={"code": "document_expired"})
    statuses.append(requires_input.status)
    statuses.append(test_helper(created.id, "process").status)
    verified = test_helper(created.id, "verify")
    statuses.append(verified.status)
    outputs = VerificationSession.retrieve(created.id, expand=["verified_outputs"]).verified_outputs
    reports = [report.id for report in VerificationReport.list(verification_session=created.id).auto_paging_iter()]
    report = VerificationReport.retrieve(verified.last_verification_report)
    canceled = VerificationSession.cancel(second.id)
    redacted = VerificationSession.redact(created.id)
    redacted_second = second.redact()
    events = [
        [event.type, event.data.object.id]
        for event in stripe.Event.list(
            limit=2, types=["identity.verification_session.%s" % kind for kind in LISTED_EVENTS]
        ).auto_paging_iter()
    ]
    endpoint = stripe.WebhookEndpoint.modify(endpoint.id, metadata={"library": "", "checked": "yes"})
    listed_endpoints = [item.id for item in stripe.WebhookEndpoint.list().auto_paging_iter()]

    return {
        "library": {"version": stripe.version.VERSION, "file": stripe.__file__},
        "endpoint": {
            "id": endpoint.id,
            "status": endpoint.status,
            "enabled_events": endpoint.enabled_events,
            "metadata": endpoint.metadata.to_dict(),
            "listed": listed_endpoints,
        },
        "webhook_secret": secret,
        "created": {
            "id": created.id,
            "status": created.status,
            "metadata": created.metadata.to_dict(),
            "options": created.options.to_dict_recursive(),
            "provided_details": created.provided_details.to_dict(),
        },
        "second": second.id,
        "retrieved": {"id": retrieved.id, "email": retrieved.provided_details.email},
        "listed": listed,
        "updated": {"metadata": updated.metadata.to_dict(), "options": updated.options.to_dict_recursive()},
        "statuses": statuses,
        "last_error": requires_input.last_error.code,
        "verified_first_name": outputs.first_name,
        "reports": reports,
        "report": {"id": report.id, "type": report.type, "document_status": report.document.status},
        "canceled": canceled.status,
        "redacted": [redacted.redaction.status, redacted_second.redaction.status],
        "events": events,
    }


def verify():
    request = json.load(sys.stdin)
    results = []
    for delivery in request["deliveries"]:
        event = stripe.Webhook.construct_event(delivery["body"], delivery["signature"], request["secret"])
        results.append([event.type, event.data.object.id])
    # A body changed after signing is refused.
    tampered = request["deliveries"][0]["body"].replace('"type"', '"type" ', 1)
    try:
        stripe.Webhook.construct_event(tampered, request["deliveries"][0]["signature"], request["secret"])
        refused = False
    except stripe.error.SignatureVerificationError:
        refused = True
    return {"events": results, "tampered_refused": refused}


if __name__ == "__main__":
    if sys.argv[1] == "lifecycle":
        print(json.dumps(lifecycle(*sys.argv[2:5])))
    else:
        print(json.dumps(verify()))
