package io.layerwatch.testing;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;

/** Java serialization as Flink ships a function or sink in the job graph to the task managers. */
public final class JavaSerialization {
    private JavaSerialization() {}

    /** A copy of {@code value} written and read back with Java serialization. */
    @SuppressWarnings("unchecked")
    public static <T extends Serializable> T roundTrip(T value)
            throws IOException, ClassNotFoundException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(value);
        }
        try (ObjectInputStream in =
                new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            return (T) in.readObject();
        }
    }
}
