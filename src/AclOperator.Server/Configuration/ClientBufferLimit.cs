namespace AclOperator.Server.Configuration;

/// <summary>One class of <c>client-output-buffer-limit</c>: hard and soft limits in bytes, soft limit duration in seconds (0 = off).</summary>
public readonly record struct ClientBufferLimit(ulong HardLimitBytes, ulong SoftLimitBytes, long SoftLimitSeconds);
