// Two cores hold about four browser participants (docs/architecture.md): one meeting at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
