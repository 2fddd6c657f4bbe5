namespace Gating.Config.Errors;

/// <summary>The stable codes of <see cref="ConfigError"/>; docs/config-errors.md explains each one.</summary>
public static class ConfigErrorCodes
{
    /// <summary>The YAML text could not be parsed (the whole file is skipped, as Zuul does).</summary>
    public const string YamlSyntax = "yaml-syntax";
    /// <summary>A file holds more than one YAML document.</summary>
    public const string MultipleDocuments = "multiple-documents";
    /// <summary>A mapping repeats a key (merge keys excepted).</summary>
    public const string DuplicateKey = "duplicate-key";
    /// <summary>A YAML tag Zuul does not know.</summary>
    public const string UnknownTag = "unknown-tag";
    /// <summary>An alias names an anchor that was never defined.</summary>
    public const string UnknownAlias = "unknown-alias";
    /// <summary>The top level of a file is not a list of single-key mappings.</summary>
    public const string InvalidStructure = "invalid-structure";
    /// <summary>A top-level key that is no known configuration object.</summary>
    public const string UnknownStanza = "unknown-stanza";
    /// <summary>A stanza newer than the reference (image, flavor, label, section, provider); accepted, not used.</summary>
    public const string UnsupportedStanza = "unsupported-stanza";
    /// <summary>An attribute the object does not have.</summary>
    public const string UnknownAttribute = "unknown-attribute";
    /// <summary>An attribute newer than the reference; accepted with a warning.</summary>
    public const string UnsupportedAttribute = "unsupported-attribute";
    /// <summary>An attribute that Zuul still accepts but deprecates.</summary>
    public const string DeprecatedAttribute = "deprecated-attribute";
    /// <summary>A required attribute is missing.</summary>
    public const string MissingAttribute = "missing-attribute";
    /// <summary>An attribute has the wrong type or an out-of-range value.</summary>
    public const string InvalidValue = "invalid-value";
    /// <summary>A regular expression does not compile.</summary>
    public const string InvalidRegex = "invalid-regex";
    /// <summary>A regular expression that RE2 rejects (lookaround, backreference); Zuul falls back and warns.</summary>
    public const string RegexNotRe2 = "regex-not-re2";
    /// <summary>A job's parent is not defined in the tenant.</summary>
    public const string UnknownParent = "unknown-parent";
    /// <summary>A project pipeline names a job that is not defined.</summary>
    public const string UnknownJob = "unknown-job";
    /// <summary>A nodeset name that is not defined.</summary>
    public const string UnknownNodeset = "unknown-nodeset";
    /// <summary>A project template name that is not defined.</summary>
    public const string UnknownTemplate = "unknown-template";
    /// <summary>A pipeline name that is not defined.</summary>
    public const string UnknownPipeline = "unknown-pipeline";
    /// <summary>A semaphore name that is not defined (Zuul makes it an implicit max-1 semaphore; warning).</summary>
    public const string UnknownSemaphore = "unknown-semaphore";
    /// <summary>A secret name that is not defined.</summary>
    public const string UnknownSecret = "unknown-secret";
    /// <summary>A job uses a secret defined in another project.</summary>
    public const string SecretNotInProject = "secret-not-in-project";
    /// <summary>A job name already defined by another project that this one may not shadow.</summary>
    public const string JobDefinedInMultipleProjects = "job-defined-in-multiple-projects";
    /// <summary>A nodeset, secret, semaphore, queue, pipeline or template is defined twice (differently).</summary>
    public const string DuplicateDefinition = "duplicate-definition";
    /// <summary>An object kind this project may not define (pipeline in an untrusted project...).</summary>
    public const string NotAllowed = "not-allowed";
    /// <summary>A tenant names a project whose repository was not given; it is skipped.</summary>
    public const string MissingRepository = "missing-repository";
    /// <summary>More than one of zuul.yaml, zuul.d/, .zuul.yaml, .zuul.d/ exists; the first wins.</summary>
    public const string MultipleConfigRoots = "multiple-config-roots";
    /// <summary>A file or directory could not be read.</summary>
    public const string ReadFailed = "read-failed";
    /// <summary>The tenant file has no such tenant.</summary>
    public const string UnknownTenant = "unknown-tenant";
    /// <summary>An unexpected internal failure, caught so the load could go on.</summary>
    public const string InternalError = "internal-error";
}
