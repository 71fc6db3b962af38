namespace AclOperator.Acl.Rendering;

/// <summary>GETUSER's per-selector fields (byte-strings, see <see cref="AclText"/>).</summary>
/// <param name="Commands">e.g. <c>-@all +get</c>.</param>
/// <param name="Keys"><c>~*</c>, or the patterns space-joined, or empty.</param>
/// <param name="Channels"><c>&amp;*</c>, or the patterns space-joined, or empty (never <c>resetchannels</c>).</param>
public sealed record SelectorDescription(string Commands, string Keys, string Channels);
