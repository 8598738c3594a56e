namespace Conclave.Media.Stun;

/// <summary>STUN message types (RFC 5389 §6, §18.1): method and class in one 14-bit field.</summary>
public static class StunMessageType
{
    public const ushort BindingRequest = 0x0001;
    public const ushort BindingIndication = 0x0011;
    public const ushort BindingSuccessResponse = 0x0101;
    public const ushort BindingErrorResponse = 0x0111;
}
