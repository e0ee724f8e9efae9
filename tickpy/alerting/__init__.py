"""Alerts after the alert node: Kapacitor's alert service, offline.

- event.py       AlertEvent, the contract between the alert node and everything here
- service.py     AlertService: topics, handler files, direct handlers, delivery, summaries
- handlerfile.py handler files (kapacitor define-topic-handler's YAML/JSON), strict decoding
- kinds.py       handler kinds and their options (Kapacitor's config structs), Go durations
- match.py       handler `match` expressions
- handlers.py    what a handler does: deliver, capture, publish, aggregate, match
- delivery.py    per-handler bounded queues, retries, dead-letter file, DeliverySummary
- senders.py     one delivery attempt for tcp, log, exec, post
- topics.py      per-topic event state and the topics summary
- capture.py, payloads/    external services: what would be sent, never sent
- config.py      the --config TOML ([[httppost]] endpoints, service sections)
- alert_template.py         Go templates over alert.Data (post URL, alert-template)
- wire.py        the alert-data JSON and its framing
"""
