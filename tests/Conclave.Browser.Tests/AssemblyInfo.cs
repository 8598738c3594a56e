// Two cores hold about four browser participants (DESIGN.md): one meeting at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
