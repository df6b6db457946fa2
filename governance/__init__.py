"""党建引领基层治理 indicators: data contract, snapshot store, ingest, briefing."""
