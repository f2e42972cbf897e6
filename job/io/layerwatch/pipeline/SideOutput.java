package io.layerwatch.pipeline;

import org.apache.flink.util.OutputTag;

/** A function context's side output. */
interface SideOutput {
    <X> void output(OutputTag<X> tag, X value);
}
