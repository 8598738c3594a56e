namespace Conclave.Meetings.Accounts;

/// <summary>
/// At most so many password hashes at once; a caller waits a while for a slot and is then
/// told the appliance is busy (503), so a login flood cannot exhaust memory or cores.
/// </summary>
internal sealed class HashingSlots(int slots, TimeSpan wait)
{
    private readonly SemaphoreSlim _free = new(slots, slots);

    public Slot Enter() => _free.Wait(wait)
        ? new Slot(_free)
        : throw DomainException.Unavailable("The appliance is busy checking other logins; try again in a moment.");

    public readonly struct Slot(SemaphoreSlim free) : IDisposable
    {
        public void Dispose() => free.Release();
    }
}
