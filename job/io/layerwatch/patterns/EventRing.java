package io.layerwatch.patterns;

import io.layerwatch.event.EcrEvent;
import java.util.AbstractList;
import java.util.Collection;
import java.util.NoSuchElementException;
import java.util.RandomAccess;

/**
 * A list that is added to at the end and taken from at the front in constant time (a circular
 * array): {@link EventQueue.Ring}'s state value. Flink's list serializer writes it as any list and
 * reads it back as an ArrayList, which the queue turns into a ring again.
 */
final class EventRing extends AbstractList<EcrEvent> implements RandomAccess {
    private EcrEvent[] items;
    private int head;
    private int size;

    EventRing() {
        items = new EcrEvent[8];
    }

    EventRing(Collection<EcrEvent> events) {
        items = new EcrEvent[Math.max(8, Integer.highestOneBit(Math.max(1, events.size())) << 1)];
        for (EcrEvent e : events) {
            items[size++] = e;
        }
    }

    @Override
    public EcrEvent get(int index) {
        if (index < 0 || index >= size) {
            throw new IndexOutOfBoundsException(index);
        }
        return items[(head + index) & (items.length - 1)];
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public boolean add(EcrEvent e) {
        if (size == items.length) {
            EcrEvent[] grown = new EcrEvent[items.length << 1];
            int tail = items.length - head;
            System.arraycopy(items, head, grown, 0, tail);
            System.arraycopy(items, 0, grown, tail, head);
            items = grown;
            head = 0;
        }
        items[(head + size++) & (items.length - 1)] = e;
        modCount++;
        return true;
    }

    EcrEvent removeFirst() {
        if (size == 0) {
            throw new NoSuchElementException();
        }
        EcrEvent first = items[head];
        items[head] = null;
        head = (head + 1) & (items.length - 1);
        size--;
        modCount++;
        return first;
    }
}
