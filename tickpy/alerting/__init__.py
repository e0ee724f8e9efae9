"""Alerts after the alert node: Kapacitor's alert service, offline.

The alert node (tickpy.runtime) emits `tickpy.runtime.alert_event.AlertEvent`s with their JSON
(`tickpy.runtime.alert_wire`); the facade (tickpy.api) wires a service from here to it.

- service.py     AlertService: topics, handler files, direct handlers, delivery, summaries
- handlerfile.py handler files (kapacitor define-topic-handler's YAML/JSON), strict decoding
- kinds.py       handler kinds and their options (Kapacitor's config structs), Go durations
- match.py       handler `match` expressions
- handlers.py    what a handler does: deliver, capture, publish, aggregate, match
- delivery.py    per-handler bounded queues, retries, circuit breaker, dead-letter file, DeliverySummary
- senders.py     one delivery attempt for tcp, log, exec, post
- shutdown.py    SIGINT/SIGTERM: stop reading between points, drain, exit 130/143
- topics.py      per-topic event state and the topics summary
- capture.py, payloads/    external services: what would be sent, never sent
- config.py      the --config TOML ([[httppost]] endpoints, service sections)
- global_handlers.py        --config services with `global = true`
"""
