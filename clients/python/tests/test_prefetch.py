"""Prefetch strategies do what each promises: LAZY asks nothing until a read, SYNC loads during
construction, DEFERRED when its handle runs, ASYNC on the running event loop."""

from __future__ import annotations

import asyncio
import logging

from hmr_client import DeferredPrefetchHandle, PrefetchStrategy


def everything_asked(fake):
    return sorted(s.path.rsplit("/", 1)[1] for s in fake.documents_asked()) == sorted(fake.documents)


def test_lazy_makes_no_request_until_the_first_read(fake, manager_for):
    manager = manager_for(prefetch=PrefetchStrategy.LAZY)
    assert fake.seen == [] and not manager.is_warm and manager.deferred_prefetch_handle is None
    manager.get_model_reference("clip")
    assert [s.path for s in fake.seen] == ["/api/model_references/v2/clip"]


def test_sync_loads_every_category_during_construction(fake, manager_for):
    manager = manager_for(prefetch="sync")
    assert everything_asked(fake) and manager.is_warm
    fake.clear()
    manager.get_all_model_references()
    assert fake.seen == []


def test_deferred_loads_nothing_until_its_handle_runs(fake, manager_for):
    manager = manager_for(prefetch=PrefetchStrategy.DEFERRED)
    handle = manager.deferred_prefetch_handle
    assert isinstance(handle, DeferredPrefetchHandle)
    assert fake.seen == [] and not manager.is_warm
    handle.run_sync()
    assert everything_asked(fake) and manager.is_warm


def test_a_deferred_handle_can_run_on_an_event_loop_or_be_awaited(fake, manager_for):
    manager = manager_for(prefetch=PrefetchStrategy.DEFERRED)
    asyncio.run(manager.deferred_prefetch_handle.run_async())
    assert everything_asked(fake) and manager.is_warm
    fake.clear()

    async def await_handle():
        await manager.deferred_prefetch_handle

    asyncio.run(await_handle())
    assert fake.documents_asked() == []  # already warm and within the TTL


def test_async_warms_up_on_the_running_loop_without_blocking_construction(fake, manager_for):
    async def main():
        manager = manager_for(prefetch=PrefetchStrategy.ASYNC)
        constructed = len(fake.seen)  # nothing yet: the warm-up is a task, not part of construction
        await manager.ensure_ready_async()
        return manager, constructed

    manager, constructed = asyncio.run(main())
    assert constructed == 0
    assert everything_asked(fake) and manager.is_warm


def test_async_warm_up_runs_by_itself_when_the_loop_gets_control(fake, manager_for):
    async def main():
        manager = manager_for(prefetch=PrefetchStrategy.ASYNC)
        for _ in range(500):
            if manager.is_warm:
                break
            await asyncio.sleep(0.01)
        return manager

    manager = asyncio.run(main())
    assert manager.is_warm and everything_asked(fake)


def test_async_without_a_running_loop_falls_back_to_a_deferred_handle(fake, manager_for, caplog):
    with caplog.at_level(logging.WARNING, logger="hmr_client"):
        manager = manager_for(prefetch=PrefetchStrategy.ASYNC)
    assert "no running event loop for the ASYNC prefetch" in caplog.text
    assert fake.seen == []
    manager.deferred_prefetch_handle.run_sync()
    assert manager.is_warm
