using System.Collections.Immutable;
using System.Reflection.Metadata;

namespace OpsPipeline.Core.Tests.Architecture;

/// <summary>
/// Decodes metadata signatures, tokens and attribute blobs into the full names of every type they mention (generic
/// arguments included); a nested type is named <c>Outer+Inner</c>, as reflection names it.
/// </summary>
internal sealed class TypeMentions(MetadataReader md) : ISignatureTypeProvider<string[], object?>, ICustomAttributeTypeProvider<string[]>
{
    private static readonly string[] SystemType = ["System.Type"];

    public static string NameOf(MetadataReader md, TypeDefinitionHandle handle)
    {
        var type = md.GetTypeDefinition(handle);
        var name = md.GetString(type.Name);
        return type.GetDeclaringType() is { IsNil: false } outer
            ? NameOf(md, outer) + "+" + name
            : Join(md.GetString(type.Namespace), name);
    }

    public static string NameOf(MetadataReader md, TypeReferenceHandle handle)
    {
        var type = md.GetTypeReference(handle);
        var name = md.GetString(type.Name);
        return type.ResolutionScope.Kind == HandleKind.TypeReference
            ? NameOf(md, (TypeReferenceHandle)type.ResolutionScope) + "+" + name
            : Join(md.GetString(type.Namespace), name);
    }

    private static string Join(string ns, string name) => ns.Length == 0 ? name : ns + "." + name;

    /// <summary>The types a token in a signature, a method body or a type's header names.</summary>
    public IEnumerable<string> OfToken(EntityHandle handle)
    {
        switch (handle.Kind)
        {
            case HandleKind.TypeDefinition:
                return [NameOf(md, (TypeDefinitionHandle)handle)];
            case HandleKind.TypeReference:
                return [NameOf(md, (TypeReferenceHandle)handle)];
            case HandleKind.TypeSpecification:
                return md.GetTypeSpecification((TypeSpecificationHandle)handle).DecodeSignature(this, null);
            case HandleKind.MethodDefinition:
                var method = md.GetMethodDefinition((MethodDefinitionHandle)handle);
                return [NameOf(md, method.GetDeclaringType()), .. OfMethodSignature(method.DecodeSignature(this, null))];
            case HandleKind.FieldDefinition:
                var field = md.GetFieldDefinition((FieldDefinitionHandle)handle);
                return [NameOf(md, field.GetDeclaringType()), .. field.DecodeSignature(this, null)];
            case HandleKind.MemberReference:
                var member = md.GetMemberReference((MemberReferenceHandle)handle);
                var signature = member.GetKind() == MemberReferenceKind.Method
                    ? OfMethodSignature(member.DecodeMethodSignature(this, null))
                    : member.DecodeFieldSignature(this, null);
                return [.. OfToken(member.Parent), .. signature];
            case HandleKind.MethodSpecification:
                var spec = md.GetMethodSpecification((MethodSpecificationHandle)handle);
                return [.. OfToken(spec.Method), .. spec.DecodeSignature(this, null).SelectMany(t => t)];
            case HandleKind.StandaloneSignature:
                var standalone = md.GetStandaloneSignature((StandaloneSignatureHandle)handle);
                return standalone.GetKind() == StandaloneSignatureKind.Method ? OfMethodSignature(standalone.DecodeMethodSignature(this, null)) : [];
            default:
                return []; // module references, user strings: no type
        }
    }

    public IEnumerable<string> OfMethodSignature(MethodSignature<string[]> signature) =>
        signature.ReturnType.Concat(signature.ParameterTypes.SelectMany(p => p));

    public IEnumerable<string> OfGenericParameters(GenericParameterHandleCollection parameters) =>
        parameters.SelectMany(p => md.GetGenericParameter(p).GetConstraints().SelectMany(c => OfToken(md.GetGenericParameterConstraint(c).Type)));

    /// <summary>Each attribute's type and the types its arguments name (<c>typeof(X)</c>, arrays of them too).</summary>
    public IEnumerable<string> OfAttributes(CustomAttributeHandleCollection attributes)
    {
        var found = new List<string>();
        foreach (var handle in attributes)
        {
            var attribute = md.GetCustomAttribute(handle);
            found.AddRange(OfToken(attribute.Constructor));
            var value = attribute.DecodeValue(this);
            foreach (var argument in value.FixedArguments.Concat(value.NamedArguments.Select(n => new CustomAttributeTypedArgument<string[]>(n.Type, n.Value))))
            {
                found.AddRange(OfArgument(argument));
            }
        }

        return found;
    }

    private static IEnumerable<string> OfArgument(CustomAttributeTypedArgument<string[]> argument) => argument.Value switch
    {
        string[] type => type,
        ImmutableArray<CustomAttributeTypedArgument<string[]>> items => items.SelectMany(OfArgument),
        _ => [],
    };

    public string[] GetPrimitiveType(PrimitiveTypeCode typeCode) => [];

    public string[] GetTypeFromDefinition(MetadataReader reader, TypeDefinitionHandle handle, byte rawTypeKind) => [NameOf(reader, handle)];

    public string[] GetTypeFromReference(MetadataReader reader, TypeReferenceHandle handle, byte rawTypeKind) => [NameOf(reader, handle)];

    public string[] GetTypeFromSpecification(MetadataReader reader, object? genericContext, TypeSpecificationHandle handle, byte rawTypeKind) =>
        reader.GetTypeSpecification(handle).DecodeSignature(this, genericContext);

    public string[] GetSZArrayType(string[] elementType) => elementType;

    public string[] GetArrayType(string[] elementType, ArrayShape shape) => elementType;

    public string[] GetByReferenceType(string[] elementType) => elementType;

    public string[] GetPointerType(string[] elementType) => elementType;

    public string[] GetPinnedType(string[] elementType) => elementType;

    public string[] GetGenericInstantiation(string[] genericType, ImmutableArray<string[]> typeArguments) =>
        [.. genericType, .. typeArguments.SelectMany(t => t)];

    public string[] GetGenericMethodParameter(object? genericContext, int index) => [];

    public string[] GetGenericTypeParameter(object? genericContext, int index) => [];

    public string[] GetFunctionPointerType(MethodSignature<string[]> signature) => [.. OfMethodSignature(signature)];

    public string[] GetModifiedType(string[] modifier, string[] unmodifiedType, bool isRequired) => [.. modifier, .. unmodifiedType];

    public string[] GetSystemType() => SystemType;

    public bool IsSystemType(string[] type) => type is ["System.Type"];

    /// <summary>
    /// A <c>typeof</c> argument, stored as an assembly-qualified name such as
    /// <c>A.Generic`1[[A.Arg, Asm, Version=…]], Asm</c>: every type name in it (assembly names, after a comma, are not).
    /// </summary>
    public string[] GetTypeFromSerializedName(string name) =>
        [.. name.Split('[', ']').Select(part => part.Split(',')[0].Trim()).Where(part => part.Length > 0)];

    /// <summary>An enum in an attribute argument: its size, from the runtime type (attribute blobs do not record it).</summary>
    public PrimitiveTypeCode GetUnderlyingEnumType(string[] type)
    {
        var name = type[0];
        var enumType = AppDomain.CurrentDomain.GetAssemblies().Select(a => a.GetType(name)).FirstOrDefault(t => t is not null)
            ?? throw new InvalidOperationException($"enum {name} of an attribute argument is not loaded");
        return Type.GetTypeCode(Enum.GetUnderlyingType(enumType)) switch
        {
            TypeCode.SByte => PrimitiveTypeCode.SByte,
            TypeCode.Byte => PrimitiveTypeCode.Byte,
            TypeCode.Int16 => PrimitiveTypeCode.Int16,
            TypeCode.UInt16 => PrimitiveTypeCode.UInt16,
            TypeCode.UInt32 => PrimitiveTypeCode.UInt32,
            TypeCode.Int64 => PrimitiveTypeCode.Int64,
            TypeCode.UInt64 => PrimitiveTypeCode.UInt64,
            _ => PrimitiveTypeCode.Int32,
        };
    }
}
