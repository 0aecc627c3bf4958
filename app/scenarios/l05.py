"""Scenarios of lesson 5's page (Online serving, app/lessons/05_online_serving.py): preset values for the
controls that page declares. The page passes them to ``LessonPage``; tests read them here."""

from playground.scenario import Preset

_PROD = {"cache": 0.5, "hedge": True, "hedge_ms": 25, "timeout": True, "timeout_ms": 60}
PRESETS: tuple[Preset, ...] = (
    Preset("naive", "Naive: fan out, hope for the best",
           "20 shards and no mitigation: every request waits for its slowest shard and p99 "
           "blows the 200 ms budget.",
           {"n": 20, "cache": 0.0, "hedge": False, "timeout": False, "budget": 200}),
    Preset("production", "Production: cache + hedge + timeout",
           "Half the lookups cached, a backup sent after 25 ms, a 60 ms timeout with fallback: "
           "p99 back under budget for a few % extra load.",
           {"n": 20, "budget": 200, **_PROD}),
    Preset("tail_at_scale", "Tail at scale: 100 shards",
           "A 1-in-100 slow shard is now hit by most requests: p99 of the request approaches "
           "the p99.99 of a single shard.",
           {"n": 100, "cache": 0.0, "hedge": False, "timeout": False, "budget": 200}),
    Preset("hot_queue", "Queue at 95 % utilisation",
           "Ten ranking replicas 95 % busy: queueing alone doubles p99 past the 100 ms budget; "
           "12 replicas (79 % busy) meet it. 40 replicas at 95 % would nearly cope: pooling.",
           {"qps": 475, "svc_ms": 20, "replicas": 10, "batch": 1, "q_budget": 100,
            "view": "Ranking service as a queue"}),
)
