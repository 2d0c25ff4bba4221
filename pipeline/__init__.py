"""The core of yuqing: settings, Redis, queues, workers, scheduler and the CLI."""
