package io.layerwatch.config;

/** Invalid configuration; the message names the file, the key path and the problem. */
public class ConfigException extends RuntimeException {
    public ConfigException(String message) {
        super(message);
    }
}
